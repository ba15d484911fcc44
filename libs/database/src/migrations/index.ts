import { InitialSchema1764400000000 } from './1764400000000-initial-schema';
import { ReviewWorkflow1764500000000 } from './1764500000000-review-workflow';
import { MovementRegions1764800000000 } from './1764800000000-movement-regions';
import { OutboxWithoutNotify1765100000000 } from './1765100000000-outbox-without-notify';
import { AuthSessions1765600000000 } from './1765600000000-auth-sessions';
import { Admin1Planar1765450000000 } from './1765450000000-admin1-planar';
import { PlannedMovementsIndex1765710000000 } from './1765710000000-planned-movements-index';
import { OutboxTimersWait1765720000000 } from './1765720000000-outbox-timers-wait';
import { ReviewTasksOneIndex1765730000000 } from './1765730000000-review-tasks-one-index';
import { ReviewTaskQueueLine1765740000000 } from './1765740000000-review-task-queue-line';
import { EmailAcceptedRecipients1765750000000 } from './1765750000000-email-accepted-recipients';
import { EmailSendingLease1765760000000 } from './1765760000000-email-sending-lease';
// Domain libraries that own seed data keep their migrations next to it; imported by path so that
// they never need to import @hns/database back.
import { Gazetteer1764600000000 } from '../../../gazetteer/src/gazetteer.migration';
import { Deconfliction1764700000000 } from '../../../deconfliction/src/deconfliction.migration';
import { Exports1764900000000 } from '../../../exports/src/exports.migration';
import { AuditHashChain1765300000000 } from '../../../audit/src/audit-chain.migration';

/** Every migration, in order. Listed explicitly so the same list works from source and from dist. */
export const MIGRATIONS = [
  InitialSchema1764400000000,
  ReviewWorkflow1764500000000,
  Gazetteer1764600000000,
  Deconfliction1764700000000,
  MovementRegions1764800000000,
  Exports1764900000000,
  OutboxWithoutNotify1765100000000,
  AuditHashChain1765300000000,
  Admin1Planar1765450000000,
  AuthSessions1765600000000,
  PlannedMovementsIndex1765710000000,
  OutboxTimersWait1765720000000,
  ReviewTasksOneIndex1765730000000,
  ReviewTaskQueueLine1765740000000,
  EmailAcceptedRecipients1765750000000,
  EmailSendingLease1765760000000,
];
