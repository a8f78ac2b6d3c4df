import { createHash } from 'node:crypto';
import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import type { Principal } from '../../common/access/access.decorator';
import { DomainError } from '../../common/errors/domain-error';
import { APP_CONFIG, type AppConfig } from '../../config/app-config';
import { JobsService } from '../../jobs/jobs.service';
import { AuditService } from '../audit/audit.service';
import {
  SYNC_FIELDS,
  type SyncField,
  type SyncPlan,
  summarisePlan,
} from '../directory/directory-sync';
import { DirectoryService } from '../directory/directory.service';
import { cronProblem } from './cron';
import type { HrisSyncRun, RunPlan } from './entities/hris-sync-run.entity';
import { type HrisMapping, mappingProblems, readHrisFile, sanitiseReason } from './hris-file';
import { parseSource, readSource } from './hris-source';
import { HrisSyncErrors } from './hris-sync.errors';
import {
  DEFAULT_HRIS_SYNC_SETTING,
  HrisSyncRepository,
  type HrisSyncSettingValues,
} from './hris-sync.repository';

export const HRIS_SYNC_QUEUE = 'hris.sync';
/**
 * The safety stop weighs a run's deactivations together with those of the runs applied in the
 * last days (since the last run HR confirmed), against the people active before them.
 */
export const SAFETY_WINDOW_DAYS = 7;

/** What one run found: the plan, its summary with the safety stop's verdict, the file's hash. */
interface Prepared {
  plan: SyncPlan;
  summary: RunPlan;
  fileHash: Buffer;
}

/**
 * The HRIS file sync (docs/directory.md): a file (CSV or JSON, at a path under HRIS_SYNC_DIR or
 * an https URL) read on a schedule through a column mapping, compared with the directory, and
 * applied through the directory's own upsert and deactivation — unless it would deactivate more
 * than the set share of active people: then nothing is written until an HR admin confirms that
 * run (for the same file). Dry runs show the same plan and write only their run row.
 */
@Injectable()
export class HrisSyncService implements OnModuleInit {
  private readonly logger = new Logger(HrisSyncService.name);

  constructor(
    private readonly repository: HrisSyncRepository,
    private readonly directory: DirectoryService,
    private readonly audit: AuditService,
    private readonly jobs: JobsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async onModuleInit(): Promise<void> {
    await this.jobs.register({
      name: HRIS_SYNC_QUEUE,
      handler: () => this.runScheduled(),
      retryLimit: 0,
    });
  }

  async settings(): Promise<HrisSyncSettingValues> {
    return (await this.repository.setting()) ?? DEFAULT_HRIS_SYNC_SETTING;
  }

  /**
   * Checks and saves the settings (every problem named at once, nothing saved on one), then sets
   * or removes the job's schedule. Audited.
   */
  async saveSettings(
    input: Record<string, unknown>,
    actor?: Principal,
    ip?: string,
  ): Promise<HrisSyncSettingValues> {
    const text = (name: string) => (typeof input[name] === 'string' ? (input[name] as string) : '');
    const problems: string[] = [];
    const source = text('source').trim();
    if (source.length > 2000) problems.push('the file location is longer than 2000 characters');
    else if (source !== '') {
      try {
        parseSource(source, this.config.hrisSyncDir);
      } catch (error) {
        if (!(error instanceof DomainError)) throw error;
        problems.push(error.message.replace(/\.$/, ''));
      }
    }
    const format = text('format').trim() || 'csv';
    if (format !== 'csv' && format !== 'json') problems.push('the format must be csv or json');
    const mapping: HrisMapping = {};
    const given =
      typeof input.mapping === 'object' && input.mapping !== null
        ? (input.mapping as Record<string, unknown>)
        : Object.fromEntries(SYNC_FIELDS.map((f) => [f, input[`map_${f}`]]));
    for (const [field, column] of Object.entries(given)) {
      if (column === undefined || (typeof column === 'string' && column.trim() === '')) continue;
      (mapping as Record<string, unknown>)[field] =
        typeof column === 'string' ? column.trim() : column;
    }
    problems.push(...mappingProblems(mapping));
    const cron = text('cron').trim() || DEFAULT_HRIS_SYNC_SETTING.cron;
    const badCron = cronProblem(cron);
    if (badCron) problems.push(badCron);
    const percentText = text('maxDeactivatePercent').trim() || '10';
    const maxDeactivatePercent = Number(percentText);
    if (!/^\d{1,3}$/.test(percentText) || maxDeactivatePercent > 100)
      problems.push('the safety stop must be a whole percentage from 0 to 100');
    const enabled = input.enabled === true || input.enabled === 'on' || input.enabled === 'true';
    if (enabled && source === '') problems.push('a scheduled sync needs a file location');
    if (problems.length > 0) throw HrisSyncErrors.badSettings(problems);
    const values: HrisSyncSettingValues = {
      enabled,
      source,
      format: format as 'csv' | 'json',
      mapping: mapping as Record<string, string>,
      cron,
      maxDeactivatePercent,
    };
    await this.repository.saveSetting(values);
    if (enabled) await this.jobs.schedule(HRIS_SYNC_QUEUE, cron, this.config.organisationTimeZone);
    else await this.jobs.unschedule(HRIS_SYNC_QUEUE);
    await this.audit.record({
      action: 'directory.sync_settings_saved',
      actor,
      target: 'HRIS file sync',
      ip,
      details: { enabled, format, cron, maxDeactivatePercent, fields: Object.keys(mapping) },
    });
    return values;
  }

  /** A dry run: what a run would change now, written only as its run row. */
  dryRun(actor?: Principal, ip?: string): Promise<HrisSyncRun> {
    return this.execute({ dry: true, trigger: 'manual', actor, ip });
  }

  /** A run now (the page's button): applied, or held by the safety stop. */
  runNow(actor?: Principal, ip?: string): Promise<HrisSyncRun> {
    return this.execute({ dry: false, trigger: 'manual', actor, ip });
  }

  /** Job `hris.sync` (scheduled from the settings' cron): a run; a failure is recorded and shown. */
  async runScheduled(): Promise<void> {
    const settings = await this.settings();
    if (!settings.enabled) return;
    try {
      await this.execute({ dry: false, trigger: 'schedule' });
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      this.logger.warn(`HRIS sync failed: ${error.code}`);
    }
  }

  recentRuns(): Promise<HrisSyncRun[]> {
    return this.repository.recentRuns();
  }

  /**
   * An HR admin confirms a run the safety stop held: the file is read again and must be the same
   * file (its hash); the plan is made again against today's directory and applied whole.
   */
  async confirm(runId: string, actor?: Principal, ip?: string): Promise<HrisSyncRun> {
    const run = /^[0-9a-f-]{36}$/.test(runId) ? await this.repository.findRun(runId) : null;
    if (!run || run.status !== 'stopped') throw HrisSyncErrors.runNotFound();
    const settings = await this.settings();
    const prepared = await this.prepare(settings);
    if (!run.fileHash || !prepared.fileHash.equals(run.fileHash))
      throw HrisSyncErrors.fileChanged();
    if (!(await this.repository.confirmRun(run.id, prepared.summary)))
      throw HrisSyncErrors.runNotFound();
    await this.directory.applySync(prepared.plan, actor, ip);
    await this.audit.record({
      action: 'directory.sync_confirmed',
      actor,
      target: `HRIS sync run ${run.id}`,
      ip,
      details: { ...prepared.summary.counts, activeBefore: prepared.summary.activeBefore },
    });
    return (await this.repository.findRun(run.id)) as HrisSyncRun;
  }

  private async execute(options: {
    dry: boolean;
    trigger: 'manual' | 'schedule';
    actor?: Principal;
    ip?: string;
  }): Promise<HrisSyncRun> {
    const settings = await this.settings();
    let prepared: Prepared;
    try {
      prepared = await this.prepare(settings);
    } catch (error) {
      if (error instanceof DomainError && error.code !== 'hris_sync.not_configured')
        await this.repository.insertRun({
          status: 'failed',
          trigger: options.trigger,
          fileHash: null,
          plan: null,
          error: error.message.slice(0, 2000),
        });
      throw error;
    }
    const { plan, summary, fileHash } = prepared;
    if (options.dry)
      return this.repository.insertRun({
        status: 'dry_run',
        trigger: options.trigger,
        fileHash,
        plan: summary,
        error: null,
      });
    if (summary.wouldStop) {
      const run = await this.repository.insertRun({
        status: 'stopped',
        trigger: options.trigger,
        fileHash,
        plan: summary,
        error: null,
      });
      await this.audit.record({
        action: 'directory.sync_stopped',
        actor: options.actor,
        target: `HRIS sync run ${run.id}`,
        ip: options.ip,
        details: {
          deactivated: summary.counts.deactivated,
          activeBefore: summary.activeBefore,
          maxDeactivatePercent: summary.maxDeactivatePercent,
        },
      });
      return run;
    }
    await this.directory.applySync(plan, options.actor, options.ip);
    return this.repository.insertRun({
      status: 'applied',
      trigger: options.trigger,
      fileHash,
      plan: summary,
      error: null,
    });
  }

  /** Reads the file through the mapping and plans the sync; writes nothing. */
  private async prepare(settings: HrisSyncSettingValues): Promise<Prepared> {
    const mapping = settings.mapping as HrisMapping;
    if (settings.source === '' || mappingProblems(mapping).length > 0)
      throw HrisSyncErrors.notConfigured();
    const source = parseSource(settings.source, this.config.hrisSyncDir);
    const bytes = await readSource(source, {
      dir: this.config.hrisSyncDir,
      maxBytes: this.config.hrisSyncMaxBytes,
      timeoutMs: this.config.hrisSyncTimeoutSeconds * 1000,
      allowPrivate: this.config.hrisSyncAllowPrivate,
    });
    let text: string;
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    } catch {
      throw HrisSyncErrors.fileRejected('the file is not UTF-8 text');
    }
    let records;
    try {
      records = readHrisFile(text, settings.format, mapping);
    } catch (error) {
      throw HrisSyncErrors.fileRejected((error as Error).message);
    }
    const mapped = new Set(Object.keys(mapping) as SyncField[]);
    const plan = await this.directory.planSync(records, mapped);
    const summarised = summarisePlan(plan);
    // The stop counts what the sync deactivated lately too: many small runs add up.
    const deactivatedBefore = await this.repository.deactivatedSince(
      new Date(Date.now() - SAFETY_WINDOW_DAYS * 86_400_000),
    );
    const summary: RunPlan = {
      ...summarised,
      rejected: summarised.rejected.map((r) => ({ ...r, reason: sanitiseReason(r.reason) })),
      maxDeactivatePercent: settings.maxDeactivatePercent,
      deactivatedBefore,
      wouldStop: exceedsSafetyStop(
        {
          deactivated: { length: plan.deactivated.length + deactivatedBefore },
          activeBefore: plan.activeBefore + deactivatedBefore,
        },
        settings.maxDeactivatePercent,
      ),
    };
    return { plan, summary, fileHash: createHash('sha256').update(bytes).digest() };
  }
}

/** Whether a plan deactivates more than `percent` % of the people active before it. */
export function exceedsSafetyStop(
  plan: { deactivated: { length: number }; activeBefore: number },
  percent: number,
): boolean {
  return plan.deactivated.length * 100 > plan.activeBefore * percent;
}
