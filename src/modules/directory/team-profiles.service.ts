import { Injectable } from '@nestjs/common';
import type { Principal } from '../../common/access/access.decorator';
import { AuditService } from '../audit/audit.service';
import { TeamsService } from '../teams/teams.service';

/**
 * A team's profile as its leads and HR change it: the team's own checks and write (teams is a
 * leaf and records nothing itself), and an audit entry naming the parts that changed.
 */
@Injectable()
export class TeamProfilesService {
  constructor(
    private readonly teams: TeamsService,
    private readonly audit: AuditService,
  ) {}

  get(slug: string) {
    return this.teams.profile(slug);
  }

  /**
   * Replaces the profile (see TeamsService.updateProfile; `basedOn`: the version the caller
   * started from). The audit entry is written in the change's transaction: it commits with it.
   */
  async update(
    actor: Principal | undefined,
    slug: string,
    input: unknown,
    ip?: string,
    basedOn?: string,
  ) {
    return this.teams.updateProfile(slug, input, {
      basedOn,
      then: (changed, manager) =>
        this.audit.record(
          {
            action: 'team.profile_updated',
            actor,
            target: `team:${slug}`,
            ip,
            details: { changed },
          },
          manager,
        ),
    });
  }
}
