import { Module } from '@nestjs/common';
import { DirectoryController } from './directory.controller';
import { DirectoryService } from './directory.service';
import { EmployeesRepository } from './employees.repository';

@Module({
  controllers: [DirectoryController],
  providers: [DirectoryService, EmployeesRepository],
  exports: [DirectoryService],
})
export class DirectoryModule {}
