/** Notifications: templates per event and locale, in the web app (the bell) and by email. */
import './tables.js';

export {
  notify,
  listNotifications,
  unreadNotificationCount,
  markNotificationRead,
  markAllNotificationsRead,
  purgeExpiredNotifications,
  NOTIFICATION_RETENTION,
} from './service.js';
export type { NotificationChannel, NotificationRecipient, NotifyInput } from './service.js';
export { mayNotify, notifyForEvent, NOTIFIED_EVENT_TYPES } from './events.js';
export type { NotifiableEvent } from './events.js';
export {
  backoffSeconds,
  configureAttachmentReader,
  deliverDueEmails,
  deliveryDeps,
  emailDeliveryIdle,
  nudgeEmailDelivery,
  DELIVERY_BATCH_SIZE,
  DELIVERY_LEASE_SECONDS,
} from './delivery.js';
export type { AttachmentReader, DeliveryDeps, DeliveryRun } from './delivery.js';
export { claimDueDeliveries } from './repository.js';
export {
  AcsEmailSender,
  MailCatcherSender,
  PermanentEmailError,
  configureEmailSender,
  emailSender,
} from './email.js';
export type { EmailAddress, EmailAttachment, EmailSender, OutgoingEmail } from './email.js';
export {
  absoluteLink,
  escapeHtml,
  isTemplateName,
  renderTemplate,
  templateLocale,
  DEFAULT_LOCALE,
  TEMPLATE_LOCALES,
  TEMPLATE_NAMES,
} from './templates.js';
export type { Rendered, RenderOptions, TemplateLocale, TemplateName } from './templates.js';
export * from './schemas.js';
