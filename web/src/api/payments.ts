import { keepPreviousData, useMutation, useQuery, useQueryClient, type QueryClient } from '@tanstack/react-query';
import type {
  AdminOrder as ContractAdminOrder,
  AdminOrderPage as ContractAdminOrderPage,
  Order as ContractOrder,
  OrderPage as ContractOrderPage,
  OrderStatus as ContractOrderStatus,
  ReconcileAnswer,
  RefundAnswer,
  TopupOptions as ContractTopupOptions,
} from '../../../src/http/contracts/index.js';
import { api, query } from './client';

export type Order = ContractOrder;
export type OrderStatus = ContractOrderStatus;
export type OrderPage = ContractOrderPage;
export type AdminOrder = ContractAdminOrder;
export type AdminOrderRow = ContractAdminOrderPage['data'][number];
export type TopupOptions = ContractTopupOptions;
export type ReconcileReport = ReconcileAnswer;
export type RefundResult = RefundAnswer;

/** How long the return page keeps asking about a pending order, and how often. */
export const ORDER_POLL_MS = 1_500;
export const ORDER_POLL_FOR_MS = 120_000;

const get = <T,>(path: string) => ({ signal }: { signal: AbortSignal }) => api<T>('GET', path, undefined, { signal });
const orderPath = (id: string) => `/api/payments/${encodeURIComponent(id)}`;
const adminOrderPath = (id: string) => `/api/admin/payments/${encodeURIComponent(id)}`;

/** A top-up settled: the balance, the ledger and the orders list (not the order itself: it was just read). */
function afterSettled(client: QueryClient) {
  return Promise.all([['balance'], ['ledger'], ['payments', 'list']].map((queryKey) => client.invalidateQueries({ queryKey })));
}

/** An admin moved money (a refund, a reconciliation): every order view and every balance figure. */
function afterAdminMove(client: QueryClient) {
  return Promise.all([['balance'], ['ledger'], ['payments'], ['admin']].map((queryKey) => client.invalidateQueries({ queryKey })));
}

export function useTopupOptions() {
  return useQuery({ queryKey: ['topup-options'], queryFn: get<TopupOptions>('/api/topup'), staleTime: 5 * 60_000 });
}

/** Creates the order; the caller sends the browser to its confirmation_url. */
export function useCreateOrder() {
  return useMutation({ mutationFn: (amount: string) => api<Order>('POST', '/api/payments', { amount }) });
}

export function useOrders(before: string | undefined) {
  return useQuery({ queryKey: ['payments', 'list', before], queryFn: get<OrderPage>('/api/payments' + query({ limit: 20, before })), placeholderData: keepPreviousData });
}

/**
 * The order the customer came back for: asked again every ORDER_POLL_MS while it is pending (the server
 * reads a pending one back from the provider), for at most ORDER_POLL_FOR_MS. When it settles, the balance,
 * the ledger and the orders list are refetched.
 */
export function useReturnedOrder(id: string | null, startedAt: number) {
  const client = useQueryClient();
  return useQuery({
    queryKey: ['payments', 'order', id],
    queryFn: async ({ signal }) => {
      const order = await api<Order>('GET', orderPath(id ?? ''), undefined, { signal });
      if (order.status !== 'pending') void afterSettled(client);
      return order;
    },
    enabled: id !== null,
    refetchInterval: (q) => (q.state.data?.status === 'pending' && Date.now() - startedAt < ORDER_POLL_FOR_MS ? ORDER_POLL_MS : false),
    refetchOnWindowFocus: false,
  });
}

// ── Admin ──────────────────────────────────────────────────────────────────────────────────────────────

export interface AdminOrderFilters {
  status?: OrderStatus;
  user_id?: string;
}

export function useAdminOrders(filters: AdminOrderFilters, before: string | undefined) {
  return useQuery({
    queryKey: ['payments', 'admin', filters, before],
    queryFn: get<ContractAdminOrderPage>('/api/admin/payments' + query({ limit: 50, before, ...filters })),
    placeholderData: keepPreviousData,
  });
}

export function useAdminOrder(id: string | null) {
  return useQuery({ queryKey: ['payments', 'admin-order', id], queryFn: get<AdminOrder>(adminOrderPath(id ?? '')), enabled: id !== null });
}

/** Refunds all that is left (no amount) or `amount` rubles; the order, the lists and every balance refetch. */
export function useRefund() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ id, amount }: { id: string; amount?: string }) => api<RefundResult>('POST', `${adminOrderPath(id)}/refund`, amount ? { amount } : {}),
    onSuccess: () => afterAdminMove(client),
  });
}

export function useReconcile() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: () => api<ReconcileReport>('POST', '/api/admin/payments/reconcile', {}),
    onSuccess: () => afterAdminMove(client),
  });
}
