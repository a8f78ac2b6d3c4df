import { Module } from '@nestjs/common';
import { DirectoryModule } from '../directory/directory.module';
import { TeamsModule } from '../teams/teams.module';
import { ScimDiscoveryController } from './scim-discovery.controller';
import { ScimGroupsController } from './scim-groups.controller';
import { ScimGroupsService } from './scim-groups.service';
import { ScimUsersController } from './scim-users.controller';
import { ScimUsersService } from './scim-users.service';
import { ScimRepository } from './scim.repository';

/** SCIM 2.0 provisioning at /scim/v2 (docs/scim.md): identity providers keep the directory. */
@Module({
  imports: [DirectoryModule, TeamsModule],
  controllers: [ScimUsersController, ScimGroupsController, ScimDiscoveryController],
  providers: [ScimUsersService, ScimGroupsService, ScimRepository],
})
export class ScimModule {}
