import { useRef, type KeyboardEvent } from 'react';

interface TabsProps<T extends string> {
  label: string;
  tabs: ReadonlyArray<{ id: T; label: string }>;
  current: T;
  onChange: (id: T) => void;
  /** The id prefix of the tab panels (`${panelPrefix}-${id}`). */
  panelPrefix: string;
  testIdPrefix: string;
}

/** ARIA tabs: one tab stop, the arrow keys (and Home/End) move between tabs and select them. */
export function Tabs<T extends string>({ label, tabs, current, onChange, panelPrefix, testIdPrefix }: TabsProps<T>) {
  const refs = useRef<Array<HTMLButtonElement | null>>([]);
  const onKeyDown = (event: KeyboardEvent, index: number) => {
    const last = tabs.length - 1;
    const next = { ArrowRight: index === last ? 0 : index + 1, ArrowLeft: index === 0 ? last : index - 1, Home: 0, End: last }[event.key];
    if (next === undefined) return;
    event.preventDefault();
    const tab = tabs[next];
    if (!tab) return;
    onChange(tab.id);
    refs.current[next]?.focus();
  };
  return (
    <div className="tabs" role="tablist" aria-label={label}>
      {tabs.map((tab, index) => (
        <button
          key={tab.id}
          ref={(element) => {
            refs.current[index] = element;
          }}
          type="button"
          role="tab"
          id={`${panelPrefix}-tab-${tab.id}`}
          aria-selected={tab.id === current}
          aria-controls={`${panelPrefix}-${tab.id}`}
          tabIndex={tab.id === current ? 0 : -1}
          className={tab.id === current ? 'tab active' : 'tab'}
          onClick={() => onChange(tab.id)}
          onKeyDown={(event) => onKeyDown(event, index)}
          data-testid={`${testIdPrefix}-${tab.id}`}
        >
          {tab.label}
        </button>
      ))}
    </div>
  );
}
