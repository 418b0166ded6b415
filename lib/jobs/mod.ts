/**
 * Child nanocode processes: the job table, one job's life (start, follow its JSON events, time limit,
 * cancel), how a child is started with the parent's permissions, and the texts a job reads as.
 * @module
 */

export {
  CHILD_INSTRUCTIONS,
  type ChildDefaults,
  type InboxItem,
  type JobRequest,
  JobTable,
  type JobTableOptions,
  processJobs,
} from "./job_table.ts";
export { Job, type JobSpec, type JobState, type LaunchPlan, TIMEOUT_EXIT_CODE } from "./job.ts";
export { type ChildCall, type ChildEnd, ChildProgress } from "./child_progress.ts";
export {
  compactResult,
  cutMiddle,
  failureReason,
  listLine,
  resultMessage,
  statusText,
  toolsLabel,
} from "./report.ts";
export {
  defaultCandidates,
  mainModulePath,
  parsePermissionArgs,
  PERMISSION_KINDS,
  type PermissionFlagOptions,
  permissionFlags,
  type PermissionKind,
  type SelfCommand,
  selfCommand,
  underDenoRun,
} from "./self_command.ts";
export {
  DEFAULT_AUTO_EMIT_MAX_CHARS,
  DEFAULT_MAX_DEPTH,
  DEFAULT_MAX_JOBS,
  type JobSettings,
  jobSettings,
  mayStartChildren,
} from "./settings.ts";
export { Slots } from "./slots.ts";
export { runUntilJobsEnd } from "./deliver.ts";
