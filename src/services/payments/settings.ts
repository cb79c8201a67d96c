/** What the payments services are configured with (src/config/payments.ts reads it from the environment). */

export interface YooKassaSettings {
  shopId: string;
  secretKey: string;
  apiUrl: string;
  /** Addresses and CIDR ranges notifications may come from. */
  notificationRanges: readonly string[];
  /** Send a 54-ФЗ receipt with each payment. */
  receipts: boolean;
  vatCode: number;
}

export interface PaymentsSettings {
  yookassa: YooKassaSettings | undefined;
  minMicro: number;
  maxMicro: number;
  presetsMicro: readonly number[];
  returnUrl: string | undefined;
  reconcileAfterMs: number;
  expireAfterMs: number;
}
