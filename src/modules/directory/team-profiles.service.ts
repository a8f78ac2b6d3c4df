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

  async update(actor: Principal | undefined, slug: string, input: unknown, ip?: string) {
    const result = await this.teams.updateProfile(slug, input);
    if (result.changed.length > 0)
      await this.audit.record({
        action: 'team.profile_updated',
        actor,
        target: `team:${slug}`,
        ip,
        details: { changed: result.changed },
      });
    return result;
  }
}
