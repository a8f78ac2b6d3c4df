import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { DirectoryModule } from '../directory/directory.module';
import { HrisSyncPagesController } from './hris-sync-pages.controller';
import { HrisSyncRepository } from './hris-sync.repository';
import { HrisSyncService } from './hris-sync.service';

/** The HRIS file sync for companies without SCIM (docs/directory.md). */
@Module({
  imports: [DirectoryModule, AuditModule],
  controllers: [HrisSyncPagesController],
  providers: [HrisSyncService, HrisSyncRepository],
  exports: [HrisSyncService],
})
export class HrisSyncModule {}
