import { ScimGroup, ScimGroupMember } from '../modules/scim/entities/scim-group.entity';
import { ScimUser } from '../modules/scim/entities/scim-user.entity';
import { SsoIdentity } from '../modules/sso/entities/sso-identity.entity';
import { SsoLoginState } from '../modules/sso/entities/sso-login-state.entity';
import { SsoRule } from '../modules/sso/entities/sso-rule.entity';
import { SsoSession } from '../modules/sso/entities/sso-session.entity';
import { SsoSetting } from '../modules/sso/entities/sso-setting.entity';
import { EmployeeSession } from '../modules/employees/entities/employee-session.entity';
import { EmployeeSignInLink } from '../modules/employees/entities/employee-sign-in-link.entity';
import { HrisSyncRun } from '../modules/hris-sync/entities/hris-sync-run.entity';
import { HrisSyncSetting } from '../modules/hris-sync/entities/hris-sync-setting.entity';
import { DigestOptOut } from '../modules/digest/entities/digest-opt-out.entity';
import { DigestSetting } from '../modules/digest/entities/digest-setting.entity';
import { DigestAlert, DigestSent } from '../modules/digest/entities/digest-sent.entity';
import { RateLimitBucket } from '../common/rate-limit/rate-limit-bucket.entity';
import { TeamAction } from '../modules/actions/entities/team-action.entity';
import { AccountToken } from '../modules/accounts/entities/account-token.entity';
import { ApiToken } from '../modules/accounts/entities/api-token.entity';
import { AppUser } from '../modules/accounts/entities/app-user.entity';
import { UserSession } from '../modules/accounts/entities/user-session.entity';
import { UserTeam } from '../modules/accounts/entities/user-team.entity';
import {
  ReviewBuiltinQuestionnaire,
  ReviewSurvey,
  TeamReviewSetting,
} from '../modules/reviews/entities/review-survey.entity';
import { Campaign } from '../modules/campaigns/entities/campaign.entity';
import { Wave } from '../modules/campaigns/entities/wave.entity';
import { AuditEvent } from '../modules/audit/entities/audit-event.entity';
import { Employee } from '../modules/directory/entities/employee.entity';
import { FatigueSetting } from '../modules/fatigue/entities/fatigue-setting.entity';
import { FatigueSkip } from '../modules/fatigue/entities/fatigue-skip.entity';
import { Invitation } from '../modules/invitations/entities/invitation.entity';
import { MailMessage } from '../modules/mail/entities/mail-message.entity';
import { OutboxMessage } from '../modules/mail/entities/outbox-message.entity';
import { Answer } from '../modules/responses/entities/answer.entity';
import { PendingResponse } from '../modules/responses/entities/pending-response.entity';
import { ReleaseMarker } from '../modules/responses/entities/release-marker.entity';
import { RawRetention } from '../modules/responses/entities/raw-retention.entity';
import { ResponseSegment } from '../modules/responses/entities/response-segment.entity';
import { Response } from '../modules/responses/entities/response.entity';
import { ReportComment } from '../modules/reports/entities/report-comment.entity';
import { ReportDayOption } from '../modules/reports/entities/report-day-option.entity';
import { ReportDayQuestion } from '../modules/reports/entities/report-day-question.entity';
import { ReportDaySegment } from '../modules/reports/entities/report-day-segment.entity';
import { ReportWaveOption } from '../modules/reports/entities/report-wave-option.entity';
import { ReportWaveQuestion } from '../modules/reports/entities/report-wave-question.entity';
import { ReportPeriodOption } from '../modules/reports/entities/report-period-option.entity';
import { ReportChange } from '../modules/reports/entities/report-change.entity';
import { ReportPeriodQuestion } from '../modules/reports/entities/report-period-question.entity';
import { ReportPeriodSegment } from '../modules/reports/entities/report-period-segment.entity';
import { ReportDayDriver } from '../modules/reports/entities/report-day-driver.entity';
import { ReportPeriodDriver } from '../modules/reports/entities/report-period-driver.entity';
import { Question } from '../modules/surveys/entities/question.entity';
import { Questionnaire } from '../modules/surveys/entities/questionnaire.entity';
import { Survey } from '../modules/surveys/entities/survey.entity';
import { ServiceTeam } from '../modules/teams/entities/service-team.entity';
import { Integration } from '../modules/tickets/entities/integration.entity';
import {
  PendingFollowUp,
  PendingTicketInvitation,
} from '../modules/tickets/entities/sealed-hand-over.entity';
import { TicketEvent, TicketEventReceipt } from '../modules/tickets/entities/ticket-event.entity';
import { FollowUp, TicketSurvey } from '../modules/tickets/entities/ticket-survey.entity';
import { WebhookDelivery } from '../modules/tickets/entities/webhook-delivery.entity';
import { InstanceSecret } from './instance-secret.entity';
import { ReaderPass } from '../modules/services/entities/reader-pass.entity';
import { ReaderSession } from '../modules/services/entities/reader-session.entity';

/** Every entity, listed once; the app, the migration CLI and the tests share this list. */
export const ENTITIES = [
  ServiceTeam,
  TeamAction,
  Employee,
  Questionnaire,
  Question,
  Survey,
  Invitation,
  PendingResponse,
  Response,
  ResponseSegment,
  ReleaseMarker,
  RawRetention,
  Answer,
  OutboxMessage,
  InstanceSecret,
  AppUser,
  UserTeam,
  UserSession,
  AccountToken,
  ApiToken,
  AuditEvent,
  RateLimitBucket,
  ReportDayQuestion,
  ReportDayOption,
  ReportDaySegment,
  ReportComment,
  Campaign,
  Wave,
  ReportWaveQuestion,
  ReportWaveOption,
  ReportPeriodQuestion,
  ReportPeriodOption,
  ReportChange,
  ReportPeriodSegment,
  ReportDayDriver,
  ReportPeriodDriver,
  Integration,
  TicketEvent,
  TicketEventReceipt,
  PendingTicketInvitation,
  PendingFollowUp,
  TicketSurvey,
  FollowUp,
  WebhookDelivery,
  MailMessage,
  FatigueSetting,
  FatigueSkip,
  ReviewSurvey,
  TeamReviewSetting,
  ReviewBuiltinQuestionnaire,
  ReaderPass,
  ReaderSession,
  DigestSetting,
  DigestOptOut,
  DigestSent,
  DigestAlert,
  ScimUser,
  ScimGroup,
  ScimGroupMember,
  SsoRule,
  SsoSetting,
  SsoLoginState,
  SsoSession,
  EmployeeSignInLink,
  EmployeeSession,
  HrisSyncSetting,
  HrisSyncRun,
  SsoIdentity,
];
