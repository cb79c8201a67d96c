import { keepPreviousData, type QueryClient, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, query } from './client';
import type { Balance, CreatedKey, KeyAnswer, KeyInput, LedgerPage, ModelList, Quickstart, RequestDetail, RequestsPage, Usage, ApiKey } from './types';

const get = <T,>(path: string) => ({ signal }: { signal: AbortSignal }) => api<T>('GET', path, undefined, { signal });

export function useBalance() {
  return useQuery({ queryKey: ['balance'], queryFn: get<Balance>('/api/balance') });
}

export function useKeys() {
  return useQuery({ queryKey: ['keys'], queryFn: get<{ data: ApiKey[] }>('/api/keys') });
}

/** A key created, edited, paused or revoked: the key list and the balance (holds, what keys may spend). */
function afterKeyChange(client: QueryClient) {
  return Promise.all([client.invalidateQueries({ queryKey: ['keys'] }), client.invalidateQueries({ queryKey: ['balance'] })]);
}

export function useCreateKey() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: KeyInput) => api<CreatedKey>('POST', '/api/keys', body),
    onSuccess: () => afterKeyChange(client),
  });
}

export function useUpdateKey() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ id, ...body }: KeyInput & { id: string }) => api<KeyAnswer>('PATCH', `/api/keys/${encodeURIComponent(id)}`, body),
    onSuccess: () => afterKeyChange(client),
  });
}

export function useRevokeKey() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => api<KeyAnswer>('DELETE', `/api/keys/${encodeURIComponent(id)}`),
    onSuccess: () => afterKeyChange(client),
  });
}

export interface RequestFilters {
  key_id?: string;
  model?: string;
  status?: string;
  from?: string;
  to?: string;
}

/** One page of the history; `before` is the cursor of the page (undefined: the newest). */
export function useRequests(filters: RequestFilters, before: string | undefined, base = '/api/requests') {
  const path = base + query({ limit: 50, before, ...filters });
  return useQuery({ queryKey: ['requests', base, filters, before], queryFn: get<RequestsPage>(path), placeholderData: keepPreviousData });
}

export function useRequestDetail(id: string | null, base = '/api/requests') {
  return useQuery({
    queryKey: ['request', base, id],
    queryFn: get<RequestDetail>(`${base}/${encodeURIComponent(id ?? '')}`),
    enabled: id !== null,
  });
}

export function useUsage(days: number) {
  return useQuery({ queryKey: ['usage', days], queryFn: get<Usage>(`/api/usage?days=${days}`), placeholderData: keepPreviousData });
}

export function useLedger(before: string | undefined, base = '/api/ledger') {
  return useQuery({
    queryKey: ['ledger', base, before],
    queryFn: get<LedgerPage>(base + query({ limit: 50, before })),
    placeholderData: keepPreviousData,
  });
}

export function useModels() {
  return useQuery({ queryKey: ['models'], queryFn: get<ModelList>('/api/models'), staleTime: 5 * 60_000 });
}

export function useQuickstart() {
  return useQuery({ queryKey: ['quickstart'], queryFn: get<Quickstart>('/api/quickstart'), staleTime: Infinity });
}
