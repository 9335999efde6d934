export { PROTOCOL_VERSION } from './version.ts';
export {
  AppError,
  ERROR_CODE_LIST,
  errorCodes,
  isErrorCode,
  type ErrorCode,
  type ErrorSpec,
} from './errors.ts';
export { failureLogLevel, isUnavailability, toAppError } from './error-conversion.ts';
export {
  errorBody,
  errorFrame,
  errorOfReply,
  errorReply,
  type ErrorFrameContext,
} from './error-rendering.ts';
export { nestsDeeperThan } from './json-depth.ts';
export {
  isExactName,
  parsePattern,
  patternCovers,
  patternMatches,
  patternProblem,
  repositoryPatternSchema,
  type RepositoryPattern,
} from './repository-pattern.ts';
export {
  MAX_REPOSITORY_NAME_LENGTH,
  isRepositoryName,
  repositoryNameSchema,
  type RepositoryName,
} from './repository.ts';
export {
  ISO_TIMESTAMP_PATTERN,
  MAX_EVENT_ID_LENGTH,
  clientEventSchema,
  createdAtSchema,
  dataIdOf,
  eventIdSchema,
  isDelete,
  isEventId,
  isOperation,
  operationSchema,
  serverEventSchema,
  serverSequenceSchema,
  type ClientEvent,
  type EventId,
  type Operation,
  type ServerEvent,
} from './wire/event.ts';
export {
  CLIENT_MESSAGE_TYPES,
  authMessageSchema,
  clientMessageSchema,
  eventsReceivedMessageSchema,
  frameEnvelopeSchema,
  pingMessageSchema,
  pongMessageSchema,
  pushEventMessageSchema,
  pushEventsBatchMessageSchema,
  requestAllEventsMessageSchema,
  requestEventsMessageSchema,
  tokenOfAuthMessage,
  type AuthMessage,
  type ClientMessage,
  type ClientMessageType,
  type PushEventMessage,
  type PushEventsBatchMessage,
  type RequestAllEventsMessage,
  type RequestEventsMessage,
} from './wire/client-messages.ts';
export {
  ackMessageSchema,
  authSuccessMessageSchema,
  errorMessageSchema,
  eventsMessageSchema,
  serverMessageSchema,
  serverPingMessageSchema,
  serverPongMessageSchema,
  syncCompleteMessageSchema,
  type AckMessage,
  type AuthSuccessMessage,
  type ErrorMessage,
  type EventsMessage,
  type ServerMessage,
  type SyncCompleteMessage,
} from './wire/server-messages.ts';
export {
  eventIndexEntrySchema,
  sequenceReplySchema,
  sequenceRequestSchema,
  sequenceResultSchema,
  sequencedBatchSchema,
  type EventIndexEntry,
  type SequenceReply,
  type SequenceRequest,
  type SequenceResult,
  type SequencedBatch,
} from './bus/messages.ts';
export { decodeSequencedBatch, type DecodedBatch } from './bus/decode-batch.ts';
export { decodeBatchJson, eventsJsonOf, type DecodedBatchJson } from './bus/decode-batch-json.ts';
export { jsonArrayItems } from './bus/json-array-items.ts';
export { isPlainRecord, validCreatedAt } from './wire/plain-values.ts';
export { DEFAULT_DUPLICATE_WINDOW_MS, SEQUENCING_DEADLINE_MS, sequencingTimeoutMs } from './bus/timing.ts';
export { COMMITTED_AT_HEADER, DEFAULT_BUS_PREFIX, busNames, type BusNames } from './bus/subjects.ts';
export {
  ADMIN_ROLE,
  ROLES_CLAIM,
  SUBJECT_PLACEHOLDER,
  SYNC_CLAIM,
  claimAllows,
  claimCovers,
  resolveClaim,
  rolesClaimSchema,
  syncClaimSchema,
  type ResolvedClaim,
  type SyncClaim,
} from './auth-claims.ts';
export {
  presenceDiffMessageSchema,
  presenceMemberSchema,
  presenceMessageSchema,
  presenceMetaSchema,
  presenceUpdateMessageSchema,
  subscribeMessageSchema,
  subscribedMessageSchema,
  unsubscribeMessageSchema,
  unsubscribedMessageSchema,
  type PresenceMember,
  type PresenceMeta,
  type PresenceUpdateMessage,
  type SubscribeMessage,
  type UnsubscribeMessage,
} from './wire/subscription-messages.ts';
export {
  presenceBusMessageSchema,
  presenceHeartbeatSchema,
  type PresenceBusMessage,
  type PresenceHeartbeat,
} from './bus/presence-messages.ts';
export {
  MAX_STATS_REPOSITORIES,
  serviceStatsSchema,
  type CommittedRepositoryStats,
  type GatewayRepositoryStats,
  type GatewayStats,
  type PersisterStats,
  type SequencerStats,
  type ServiceStats,
} from './bus/stats-messages.ts';
export {
  requestSnapshotMessageSchema,
  restSnapshotQuerySchema,
  snapshotCompleteMessageSchema,
  snapshotMessageSchema,
  type RequestSnapshotMessage,
  type SnapshotCompleteMessage,
  type SnapshotMessage,
} from './wire/snapshot-messages.ts';
export { restBatchBodySchema, restEventsQuerySchema, type RestError } from './rest.ts';
export { parseJsonWith } from './parse-json.ts';
