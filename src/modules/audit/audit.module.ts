import { Global, Module } from '@nestjs/common';
import { AuditController, AuditPagesController } from './audit.controller';
import { AuditRepository } from './audit.repository';
import { AuditService } from './audit.service';

@Global()
@Module({
  controllers: [AuditController, AuditPagesController],
  providers: [AuditService, AuditRepository],
  exports: [AuditService],
})
export class AuditModule {}
