import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { BrowserRouter } from 'react-router';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { ApiError } from './api/client';
import { App } from './App';
import './i18n';
import './styles/app.css';
import './styles/pages.css';
import './styles/controls.css';
import './styles/dialogs.css';
import './styles/tables.css';

const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      // Live figures: balances, key spend, history and usage change with API calls made outside this
      // browser, so a page shows its cached copy at once and refetches it on every visit and window focus.
      // Reference data (the price list, the quick start, the session) sets a staleTime of its own.
      staleTime: 0,
      refetchOnWindowFocus: true,
      // 4xx answers are final (not found, forbidden, signed out); network blips and 5xx get two more tries.
      retry: (failures, error) => !(error instanceof ApiError && error.status < 500) && failures < 2,
    },
    mutations: { retry: false },
  },
});

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <QueryClientProvider client={queryClient}>
      <BrowserRouter>
        <App />
      </BrowserRouter>
    </QueryClientProvider>
  </StrictMode>,
);
