import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type {
  PromoCode as ContractPromoCode,
  PromoCodeDetail as ContractPromoCodeDetail,
  PromoCodeList,
  PromoCreateBody,
  PromoRedeemed,
} from '../../../src/http/contracts/index.js';
import { api } from './client';

export type PromoCode = ContractPromoCode;
export type PromoCodeDetail = ContractPromoCodeDetail;
export type PromoInput = PromoCreateBody;
export type PromoRedeemResult = PromoRedeemed;

const get = <T,>(path: string) => ({ signal }: { signal: AbortSignal }) => api<T>('GET', path, undefined, { signal });
const codePath = (id: string) => `/api/admin/promo-codes/${encodeURIComponent(id)}`;

/** The customer redeems a code: the balance and the ledger change at once. */
export function useRedeemPromo() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (code: string) => api<PromoRedeemResult>('POST', '/api/promo/redeem', { code }),
    onSuccess: () => {
      void client.invalidateQueries({ queryKey: ['balance'] });
      void client.invalidateQueries({ queryKey: ['ledger'] });
    },
  });
}

export function usePromoCodes() {
  return useQuery({ queryKey: ['admin', 'promo'], queryFn: get<PromoCodeList>('/api/admin/promo-codes') });
}

export function usePromoCode(id: string | null) {
  return useQuery({ queryKey: ['admin', 'promo', id], queryFn: get<PromoCodeDetail>(codePath(id ?? '')), enabled: id !== null });
}

export function useCreatePromo() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: PromoInput) => api<PromoCode>('POST', '/api/admin/promo-codes', body),
    onSuccess: () => client.invalidateQueries({ queryKey: ['admin', 'promo'] }),
  });
}

export function useDisablePromo() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => api<PromoCode>('POST', `${codePath(id)}/disable`),
    onSuccess: () => client.invalidateQueries({ queryKey: ['admin', 'promo'] }),
  });
}
