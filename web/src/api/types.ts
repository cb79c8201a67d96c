/**
 * The dashboard API's shapes. The server's TypeBox contracts (src/http/contracts/) are the source of
 * truth: the web imports their types only (nothing of them reaches the bundle), so a field renamed on the
 * server fails `npm run typecheck` here. The names below are the web's short names for them.
 */
import type {
  AccountAnswer as ContractAccountAnswer,
  AdminAuditEntry,
  AdminAuditPage,
  AdminCreditAnswer,
  AdminModel as ContractAdminModel,
  AdminModelList as ContractAdminModelList,
  AdminModelPut,
  AdminOverview as ContractAdminOverview,
  AdminResetLink,
  AdminSettings,
  AdminSettingsPut,
  AdminUpstream,
  AdminUpstreamList,
  AdminUser,
  AdminUserDetail as ContractAdminUserDetail,
  AdminUserPage,

  CabinetBalance,
  CabinetKey,
  CabinetKeyStatus,
  CabinetModel,
  CabinetModelList,
  CabinetRequest,
  CabinetRequestDetail,
  CreatedKey as ContractCreatedKey,
  CreateKeyBody,
  KeyAnswer as ContractKeyAnswer,
  LedgerEntry as ContractLedgerEntry,
  LedgerPage as ContractLedgerPage,
  Quickstart as ContractQuickstart,
  RequestPage,
  UpdateKeyBody,
  UsageDay as ContractUsageDay,
  UsageSeries,
  Account as ContractAccount,
  ApiError as ContractApiError,
  SessionInfo as ContractSessionRow,
  SessionList as ContractSessionList,
  SessionState as ContractSessionState,
  SignedIn as ContractSignedIn,
} from '../../../src/http/contracts/index.js';

export type Role = ContractAccount['role'];
export type Account = ContractAccount;
export type SessionState = ContractSessionState;
export type SignedIn = ContractSignedIn;
export type AccountAnswer = ContractAccountAnswer;
export type SessionRow = ContractSessionRow;
export type SessionList = ContractSessionList;

export type Balance = CabinetBalance;
export type KeyStatus = CabinetKeyStatus;
export type ApiKey = CabinetKey;
export type KeyInput = CreateKeyBody & UpdateKeyBody;
export type CreatedKey = ContractCreatedKey;
export type KeyAnswer = ContractKeyAnswer;
export type RequestRow = CabinetRequest;
export type RequestDetail = CabinetRequestDetail;
export type RequestsPage = RequestPage;
export type UsageDay = ContractUsageDay;
export type Usage = UsageSeries;
export type LedgerEntry = ContractLedgerEntry;
export type LedgerPage = ContractLedgerPage;
export type ModelPrice = CabinetModel;
export type ModelList = CabinetModelList;
export type Quickstart = ContractQuickstart;

export type AdminUserRow = AdminUser;
export type AdminUsersPage = AdminUserPage;
export type AdminUserDetail = ContractAdminUserDetail;
export type CreditResult = AdminCreditAnswer;
export type ResetLink = AdminResetLink;
export type AdminModel = ContractAdminModel;
export type AdminModelList = ContractAdminModelList;
export type AdminModelInput = AdminModelPut;
export type BillingSettings = AdminSettings;
export type BillingSettingsInput = AdminSettingsPut;
export type Upstream = AdminUpstream;
export type UpstreamList = AdminUpstreamList;
export type AdminOverview = ContractAdminOverview;
export type AuditRow = AdminAuditEntry;
export type AuditPage = AdminAuditPage;

export type ApiErrorBody = ContractApiError;
