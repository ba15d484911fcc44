import type { SmtpTestServer } from '../support/smtp-test-server';

export type MailKind = 'receipt' | 'acknowledgement';
const EXPECTED_KINDS: MailKind[] = ['receipt', 'acknowledgement'];

export interface MailTally {
  expected: number;
  delivered: number;
  /** Copies beyond the first of a (reference, kind) with a Message-ID of their own: a reader sees two emails. */
  duplicated: number;
  /**
   * Copies repeating the Message-ID of the first: the same message sent again because the
   * process died after the SMTP server accepted it and before "sent" was recorded.
   */
  sameMessageId: number;
  lost: number;
  /** Emails about these movements that the flow should not send (a flag, a reminder, …). */
  unexpected: string[];
  /** Each duplicate: reference, kind, copies, and whether the copies share one Message-ID. */
  duplicates: string[];
}

/**
 * What the SMTP server received, indexed by movement reference and kind as it arrives.
 * A second message for the same (reference, kind) is either a duplicate (its own Message-ID:
 * the system decided twice to send it — always a failure) or a re-send of the same message
 * (same Message-ID, derived from the delivery's idempotency key in libs/mail/src/message-id.ts),
 * which the scenarios count separately and bound (see ScenarioRun options.resendAllowance).
 */
export class MailLedger {
  private indexed = 0;
  /** reference → kind → Message-IDs of the copies, in order of arrival. */
  private readonly byReference = new Map<string, Map<string, string[]>>();
  private readonly unattributed: string[] = [];

  constructor(private readonly smtp: SmtpTestServer) {}

  /** Subjects received that name no movement reference: nothing in these flows sends those. */
  get strays(): string[] {
    this.sync();
    return this.unattributed;
  }

  tally(references: Iterable<string>): MailTally {
    this.sync();
    const result: MailTally = {
      expected: 0,
      delivered: 0,
      duplicated: 0,
      sameMessageId: 0,
      lost: 0,
      unexpected: [],
      duplicates: [],
    };
    for (const reference of references) {
      result.expected += EXPECTED_KINDS.length;
      const kinds = this.byReference.get(reference) ?? new Map<string, string[]>();
      for (const kind of EXPECTED_KINDS) {
        if (kinds.has(kind)) result.delivered += 1;
        else result.lost += 1;
      }
      for (const [kind, ids] of kinds) {
        if (!EXPECTED_KINDS.includes(kind as MailKind))
          result.unexpected.push(`${reference} ${kind}`);
        if (ids.length < 2) continue;
        const distinct = new Set(ids).size;
        result.sameMessageId += ids.length - distinct;
        result.duplicated += distinct - 1;
        result.duplicates.push(
          `${reference} ${kind} x${ids.length}` +
            (distinct === 1 ? ' (same Message-ID)' : ` (${distinct} different Message-IDs)`),
        );
      }
    }
    return result;
  }

  private sync(): void {
    const received = this.smtp.received;
    for (; this.indexed < received.length; this.indexed += 1) {
      const { mail } = received[this.indexed];
      const subject = mail.subject ?? '';
      const reference = /\[(HNS-[A-Z]{2}-\d{4}-\d+)\]/.exec(subject)?.[1];
      if (!reference) {
        this.unattributed.push(subject);
        continue;
      }
      const kinds = this.byReference.get(reference) ?? new Map<string, string[]>();
      this.byReference.set(reference, kinds);
      const kind = kindOf(subject);
      kinds.set(kind, [...(kinds.get(kind) ?? []), mail.messageId ?? `(none ${this.indexed})`]);
    }
  }
}

function kindOf(subject: string): string {
  if (/Movement notification received/.test(subject)) return 'receipt';
  if (/Deconfliction acknowledgement/.test(subject)) return 'acknowledgement';
  return `other: ${subject}`;
}
