// The public API's shapes as the console reads them (README and /openapi/v1.json; contracts.md for instances and what-if).
export interface Job {
  id: string; team: string; name: string; state: string;
  gpu: { count: number; models: string[]; minMemoryGb?: number | null };
  cpuCores: number; memoryGb: number; image: string; command: string[]; estimatedDurationMinutes: number;
  deadline?: string | null; priority: number; spot: { allowed: boolean; checkpointIntervalMinutes?: number | null };
  maxPricePerGpuHour?: number | null; labels: Record<string, string>; submittedAt: string; updatedAt: string;
  timeline?: { at: string; kind: string; message: string }[]; attempts: number; interruptions: number; savedProgressMinutes: number;
  placement?: Decision | null; segments?: Segment[] | null; cost?: JobCost | null;
}
export interface Decision {
  jobId: string; action: string; node?: string | null; provider?: string | null; region?: string | null; zone?: string | null;
  instanceType?: string | null; market?: string | null; gpuModel?: string | null; pricePerHour?: number | null; expectedCost?: number | null;
  waitReason?: string | null; retryAt?: string | null; estimatedOnPremStart?: string | null; chosen: string;
  rejected: { option: string; reason: string; detail: string; expectedCost?: number | null }[]; decidedAt: string; strategy: string;
}
export interface Segment {
  allocationId: string; location: string; node?: string | null; provider: string; region?: string | null; zone?: string | null;
  instanceType?: string | null; market: string; gpuModel: string; gpus: number; pricePerHour: number; state: string;
  end?: string | null; endReason?: string | null; createdAt: string; startedAt?: string | null; endedAt?: string | null;
}
export interface JobCost {
  soFarUsd: number; onDemandEquivalentUsd: number; savingsUsd: number; estimateAtPlacementUsd?: number | null;
  latestEstimateUsd?: number | null; entries: number; final: boolean;
}
export interface Page<T> { items: T[]; nextCursor: string | null }

export interface UtilizationBucket { start: string; gpuModel: string; usedGpuHours: number; availableGpuHours: number; idleGpuHours: number; idleCostUsd: number }
export interface Utilization {
  from: string; to: string; step: string; buckets: UtilizationBucket[]; byGpuModel: UtilizationBucket[]; idleGpuHours: number; idleCostUsd: number;
  onPremGpuHours: number; cloudGpuHoursByMarket: Record<string, number>; onPremShare?: number | null;
}
export interface CostRow { key: Record<string, string | null>; gpuHours: number; costUsd: number; onDemandCostUsd: number; savingsUsd: number; entries: number }
export interface CostReport {
  from: string; to: string; groupBy: string[]; team?: string | null; rows: CostRow[];
  totals: { gpuHours: number; costUsd: number; onDemandCostUsd: number; savingsUsd: number; entries: number };
}
export interface BudgetPeriod { start: string; end: string; spentUsd: number; reservedUsd: number; committedUsd: number; remainingUsd: number; state: string }
export interface Budget {
  team: string; amountUsd: number; softPercent: number; hardPercent: number; softLimitUsd: number; hardLimitUsd: number;
  period: string; from?: string | null; to?: string | null; current?: BudgetPeriod | null; updatedAt: string;
}
export interface TeamSpend {
  team: string; cloudCostUsd: number; onPremCostUsd: number; costUsd: number; onDemandCostUsd: number; savingsUsd: number;
  gpuHours: number; budget?: Budget | null; budgetUsedPercent?: number | null; projectedCloudCostUsd: number;
}
export interface Summary {
  month: string; teams: TeamSpend[]; costUsd: number; onDemandCostUsd: number; savingsUsd: number; savingsPercent?: number | null;
  idleOnPremGpuHours?: number | null; idleOnPremCostUsd?: number | null;
  forecast: { monthToDateUsd: number; projectedUsd: number; burnRatePerDayUsd: number };
}
export interface Stop { scope: string; reason: string; since: string; byKey?: string | null }
export interface Bursting { running: boolean; stopped?: Stop | null; drainedProviders: Stop[] }
export interface Instance {
  id: string; provider: string; region?: string | null; zone?: string | null; instanceType?: string | null; market: string; state: string;
  end?: string | null; endReason?: string | null; jobId: string; team: string; gpuModel: string; gpus: number; pricePerHour: number;
  createdAt: string; startedAt?: string | null; endedAt?: string | null; ageSeconds: number; costSoFar: number; externalId?: string | null;
}
export interface OnPremNode { name: string; gpuModel: string; gpuTotal: number; gpuUsed: number; gpuIdle: number; state: string; schedulable: boolean; present: boolean; lastSeenAt: string }
export interface Provider {
  name: string; kind: string; health: { status: string; errorCode?: string | null; errorMessage?: string | null; at?: string | null;
    circuit: 'closed' | 'open' | 'halfopen'; consecutiveFailures: number; refusingUntil?: string | null };
  blocks: { scope: string; target: string; reason: string; until: string }[];
  lastPriceRefresh?: { at: string; succeeded: boolean; offersUpdated: number; reason?: string | null } | null; drained?: Stop | null;
}
export type PolicyDocument = {
  burstingEnabled?: boolean; allowedProviders?: string[]; allowedRegions?: string[]; markets?: string[];
  maxWaitBeforeBurstMinutes?: number; maxPricePerGpuHour?: { spot?: number; onDemand?: number }; maxCloudGpus?: number;
  maxCloudGpusGlobal?: number; deadlineMarginMinutes?: number; leaseFactor?: number; fairShareWeight?: number;
};
export interface PolicyState { scope: string; version: number; document: PolicyDocument; createdAt?: string | null; createdByKey?: string | null; restoredFrom?: number | null }
export interface EffectivePolicy { team: string; values: PolicyDocument; sources: Record<string, string>; onPremRatePerGpuHour: number }
export interface WhatIfSummary {
  jobs: number; cloudSpend: number; costByMarket: { onprem: number; spot: number; ondemand: number }; waitP50Seconds: number;
  waitP95Seconds: number; waitP99Seconds: number; deadlineMisses: number; preemptions: number; onPremUtilization: number;
}
export interface WhatIfRun {
  id: string; scope: string; state: 'queued' | 'running' | 'succeeded' | 'failed'; percent: number; error?: string | null;
  createdAt: string; finishedAt?: string | null; result?: { current: WhatIfSummary; proposed: WhatIfSummary; changedJobs: number } | null;
}
export interface Placement { target: string; provider?: string | null; market?: string | null; region?: string | null; instanceType?: string | null; startedAt?: string | null; cost?: number | null }
export interface WhatIfChange { jobId: string; team: string; current: Placement; proposed: Placement }
