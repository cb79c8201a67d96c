import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, fetchSession, setCsrfToken } from './client';
import type { AccountAnswer, SessionList, SessionState, SignedIn } from './types';

export const sessionKey = ['session'] as const;

export function useSession() {
  return useQuery({ queryKey: sessionKey, queryFn: ({ signal }) => fetchSession(signal), staleTime: 60_000, retry: 1 });
}

/** After a login, signup or logout: every cached page belonged to the previous account. */
function useResetAfterAuth() {
  const client = useQueryClient();
  return async () => {
    client.removeQueries({ predicate: (q) => q.queryKey[0] !== 'session' });
    await client.fetchQuery({ queryKey: sessionKey, queryFn: () => fetchSession(), staleTime: 0 });
  };
}

export interface Credentials {
  email: string;
  password: string;
}

export function useLogin() {
  const reset = useResetAfterAuth();
  return useMutation({
    mutationFn: (body: Credentials) => api<SignedIn>('POST', '/api/auth/login', body),
    onSuccess: async (answer) => {
      setCsrfToken(answer.csrf_token);
      await reset();
    },
  });
}

export function useSignup() {
  const reset = useResetAfterAuth();
  return useMutation({
    mutationFn: (body: Credentials) => api<SignedIn>('POST', '/api/auth/signup', body),
    onSuccess: async (answer) => {
      setCsrfToken(answer.csrf_token);
      await reset();
    },
  });
}

export function useLogout() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: () => api<void>('POST', '/api/auth/logout'),
    onSettled: async () => {
      client.clear();
      setCsrfToken(null);
      client.setQueryData<SessionState>(sessionKey, (old) => ({ account: null, csrf_token: null, signup: old?.signup ?? 'open', password_reset_mail: old?.password_reset_mail ?? false }));
      await client.invalidateQueries({ queryKey: sessionKey });
    },
  });
}

export function useResetRequest() {
  return useMutation({ mutationFn: (email: string) => api<void>('POST', '/api/auth/password-reset/request', { email }) });
}

export function useResetConfirm() {
  return useMutation({
    mutationFn: (body: { token: string; password: string }) => api<void>('POST', '/api/auth/password-reset/confirm', body),
  });
}

export function useChangePassword() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: { current_password: string; new_password: string }) => api<void>('POST', '/api/auth/password', body),
    onSuccess: () => client.invalidateQueries({ queryKey: ['sessions'] }),
  });
}

export function useChangeEmail() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: { password: string; email: string }) => api<AccountAnswer>('POST', '/api/auth/email', body),
    onSuccess: () => client.invalidateQueries({ queryKey: sessionKey }),
  });
}

export function useSessions() {
  return useQuery({ queryKey: ['sessions'], queryFn: ({ signal }) => api<SessionList>('GET', '/api/auth/sessions', undefined, { signal }) });
}

export function useRevokeOtherSessions() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: () => api<void>('POST', '/api/auth/sessions/revoke-others'),
    onSuccess: () => client.invalidateQueries({ queryKey: ['sessions'] }),
  });
}

export function useRevokeSession() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => api<void>('DELETE', `/api/auth/sessions/${encodeURIComponent(id)}`),
    onSuccess: () => client.invalidateQueries({ queryKey: ['sessions'] }),
  });
}
