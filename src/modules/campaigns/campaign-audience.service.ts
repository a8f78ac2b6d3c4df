import { Injectable } from '@nestjs/common';
import type { AudienceFilter } from '../directory/audience';
import { DirectoryService } from '../directory/directory.service';
import { subtreeIds } from '../reports/reports.service';
import { TeamsService } from '../teams/teams.service';
import type { Audience, Campaign } from './entities/campaign.entity';

export interface AudienceQuery {
  subject: 'teams' | 'own_team';
  departments: string[];
  locations: string[];
  teamSlugs: string[];
  tenureBands: string[];
  includeEmails: string[];
  excludeEmails: string[];
}

/** Who a campaign's audience holds: the directory filter of its settings, and the live count. */
@Injectable()
export class CampaignAudienceService {
  constructor(
    private readonly teams: TeamsService,
    private readonly directory: DirectoryService,
  ) {}

  /** How many people an audience holds right now, and the e-mails given that match nobody. */
  async count(query: AudienceQuery): Promise<{ count: number; unknownEmails: string[] }> {
    const teams = await this.teams.list();
    const teamIds = query.teamSlugs
      .map((s) => teams.find((t) => t.slug === s)?.id)
      .filter((id): id is string => id !== undefined);
    const [include, exclude] = await Promise.all([
      this.directory.idsByEmail(query.includeEmails),
      this.directory.idsByEmail(query.excludeEmails),
    ]);
    const count = await this.directory.countAudience(
      this.filterOf(
        {
          departments: query.departments,
          locations: query.locations,
          teamIds,
          tenureBands: query.tenureBands,
          includeIds: [...include.ids.values()],
          excludeIds: [...exclude.ids.values()],
        },
        query.subject,
        teams,
      ),
    );
    return { count, unknownEmails: [...include.unknown, ...exclude.unknown] };
  }

  /** How many people a saved campaign's audience holds right now. */
  async countOf(campaign: Campaign): Promise<number> {
    return this.directory.countAudience(await this.filter(campaign));
  }

  /** The directory filter of a campaign's audience: chosen teams with every team below them. */
  filterOf(
    audience: Audience,
    subject: 'teams' | 'own_team',
    teams: Awaited<ReturnType<TeamsService['list']>>,
  ): AudienceFilter {
    return {
      ...audience,
      teamIds: [...new Set(audience.teamIds.flatMap((id) => subtreeIds(teams, id)))],
      needsTeam: subject === 'own_team',
    };
  }

  async filter(campaign: Campaign): Promise<AudienceFilter> {
    return this.filterOf(campaign.audience, campaign.subject, await this.teams.list());
  }
}
