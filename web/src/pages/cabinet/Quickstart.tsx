import { useState } from 'react';
import { Link } from 'react-router';
import { useQuickstart } from '../../api/cabinet';
import { CodeBlock, CopyButton } from '../../components/CopyButton';
import { PageHeader } from '../../components/Layout';
import { ErrorState, Loading } from '../../components/States';
import { Tabs } from '../../components/Tabs';
import { useLang } from '../../i18n';
import { snippets, surfaceUrls } from './snippets';

const SURFACE_ORDER = ['unified', 'openai', 'anthropic', 'gemini', 'gemini_openai', 'xai', 'deepseek', 'openrouter'];

export function QuickstartPage() {
  const { t } = useLang();
  const quickstart = useQuickstart();
  const [tab, setTab] = useState('curl');

  if (quickstart.isPending) return <Loading />;
  if (quickstart.isError) return <ErrorState error={quickstart.error} onRetry={() => void quickstart.refetch()} />;
  const urls = surfaceUrls(quickstart.data);
  const examples = snippets(urls, 'openai/gpt-4o-mini');
  const current = examples.find((s) => s.id === tab) ?? examples[0]!;
  const rank = (surface: string) => (SURFACE_ORDER.includes(surface) ? SURFACE_ORDER.indexOf(surface) : SURFACE_ORDER.length);
  const surfaces = Object.keys(urls).sort((a, b) => rank(a) - rank(b));

  return (
    <>
      <PageHeader title={t('quickstart.title')} subtitle={t('quickstart.subtitle')} />
      <ol className="steps">
        <li>
          <Link to="/topup">{t('quickstart.step1')}</Link>
        </li>
        <li>
          <Link to="/keys">{t('quickstart.step2')}</Link>
        </li>
        <li>{t('quickstart.step3')}</li>
      </ol>
      <section className="panel" aria-labelledby="qs-urls">
        <h2 id="qs-urls" className="panel-title">{t('quickstart.urls')}</h2>
        <div className="table-wrap">
          <table className="table" data-testid="quickstart-urls">
            <thead>
              <tr>
                <th scope="col">{t('quickstart.surface')}</th>
                <th scope="col">{t('quickstart.baseUrl')}</th>
                <th scope="col"><span className="visually-hidden">{t('common.actions')}</span></th>
              </tr>
            </thead>
            <tbody>
              {surfaces.map((surface) => (
                <tr key={surface} data-testid={`surface-${surface}`}>
                  <td data-label={t('quickstart.surface')}>{t(`quickstart.surfaces.${surface}`, { defaultValue: surface })}</td>
                  <td data-label={t('quickstart.baseUrl')}><code>{urls[surface]}</code></td>
                  <td className="actions"><CopyButton text={urls[surface] ?? ''} testId={`surface-${surface}-copy`} ariaLabel={`${t('common.copy')}: ${t(`quickstart.surfaces.${surface}`, { defaultValue: surface })}`} /></td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        <p className="muted small">{t('quickstart.keyHint')}</p>
      </section>
      <section className="panel" aria-labelledby="qs-examples">
        <h2 id="qs-examples" className="panel-title">{t('quickstart.examples')}</h2>
        <Tabs label={t('quickstart.examples')} tabs={examples} current={current.id} onChange={setTab} panelPrefix="snippet" testIdPrefix="snippet-tab" />
        <div id={`snippet-${current.id}`} role="tabpanel" aria-labelledby={`snippet-tab-${current.id}`}>
          <CodeBlock code={current.code} label={current.label} testId={`snippet-code-${current.id}`} />
        </div>
      </section>
    </>
  );
}
