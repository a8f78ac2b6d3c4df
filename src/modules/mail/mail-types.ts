import type { EntityManager } from 'typeorm';
import type { ClaimedMail } from './mail.repository';

export const SEND_QUEUE = 'mail.send';
export const SWEEP_QUEUE = 'mail.sweep';

/** A mail as handed to SMTP (or the outbox). */
export interface MailMessage {
  to: string;
  subject: string;
  html: string;
  text: string;
  kind: string;
  /** Extra headers (e.g. List-Unsubscribe), added to Auto-Submitted. */
  headers?: Record<string, string>;
}

/** A subject: literal text, or a key of views/locales translated in the mail's language. */
export type MailSubject = string | { key: string; params?: Record<string, string | number> };

/**
 * A mail's content, made at send time: a template of views/emails (`<template>.html.hbs` and
 * `.text.hbs`), its subject and its context. The context gets `locale` and `dir` (rtl for
 * Persian) added, and every Date in it (or mailDate() value) is written as a long date in the
 * mail's language.
 */
export interface BuiltMail {
  template: string;
  subject: MailSubject;
  context: Record<string, unknown>;
  /** Extra headers of this mail (e.g. List-Unsubscribe and List-Unsubscribe-Post). */
  headers?: Record<string, string>;
}

/** The mail must not go any more (answered, expired, person deactivated…): it is cancelled. */
export interface CancelledMail {
  cancel: string;
}

/**
 * How another feature makes the mails of its kind when they are sent (see registerKind).
 * `build` gets the claimed mails of the kind (up to a few dozen at a time) and answers, for each
 * id, its content or why it must not go; an id it leaves out fails permanently. Do the work for
 * all of them at once (one statement), e.g. issue every link token of the batch together —
 * tokens are made here, at send time, never stored in the mail row. `sent`, if given, runs in
 * the transaction that marks the mail sent (record "invitation sent" there).
 */
export interface MailBuilder {
  build(mails: readonly ClaimedMail[]): Promise<Map<string, BuiltMail | CancelledMail>>;
  sent?(mail: ClaimedMail, manager: EntityManager): Promise<void>;
}

/** A one-off mail: to one address, made from a template and a context, or by its kind's builder. */
export interface OneOffMail {
  /** Decides the builder (registerKind); without one, `template` + `context` are rendered. */
  kind: string;
  to: string;
  locale: string;
  /** Same key, same mail: queueing it again creates nothing (e.g. `ticket-survey:<id>`). */
  dedupeKey: string;
  template?: string;
  subject?: MailSubject;
  /** Stored with the mail as JSON: never a secret or a link token. */
  context?: Record<string, unknown>;
  /** Not before this time (default now). */
  dueAt?: Date;
}

export interface QueuedMails {
  /** Mails created by this call (those that existed already are not counted). */
  queued: number;
  /** `mail.send` jobs enqueued for them. */
  jobs: number;
}

export interface SendRunResult {
  sent: number;
  retrying: number;
  failed: number;
  dead: number;
  cancelled: number;
  /** Not sent by this run: another sender took it after the lease ran out. */
  lost: number;
  /** Given back unstarted because this instance is stopping. */
  released: number;
}

/** Mail kinds of invitations: the first mail, and the reminders (sequence 1–3). */
export const INVITATION_KIND = 'invitation';
export const REMINDER_KIND = 'reminder';
export const TEST_KIND = 'test';

/**
 * A date in a one-off mail's stored context (JSON has no dates): written as a long date in the
 * mail's language when the mail is made.
 */
export function mailDate(date: Date): { $date: string } {
  return { $date: date.toISOString() };
}
