import { DynamicModule, Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { dataSourceOptions, type PoolOptions } from './data-source';
import { DATABASE_URL } from './database.tokens';

@Global()
@Module({})
export class DatabaseModule {
  static forRoot(url: string, pool: PoolOptions = {}): DynamicModule {
    return {
      module: DatabaseModule,
      // No retries of its own at start: main.ts waits for the database (database-wait.ts).
      imports: [TypeOrmModule.forRoot({ ...dataSourceOptions(url, pool), toRetry: () => false })],
      providers: [{ provide: DATABASE_URL, useValue: url }],
      exports: [DATABASE_URL],
    };
  }
}
