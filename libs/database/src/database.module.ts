import { DynamicModule, Module } from '@nestjs/common';
import { EventEmitterModule } from '@nestjs/event-emitter';
import { TypeOrmModule } from '@nestjs/typeorm';
import { APP_CONFIG, AppConfig } from '@hns/config';
import { dataSourceOptions } from './data-source';
import { DomainEventsRelay } from './domain-events';

/**
 * The PostgreSQL connection. Each domain library registers its own entities with
 * TypeOrmModule.forFeature; migrations, not synchronize, own the schema.
 */
@Module({})
export class DatabaseModule {
  static forRoot(applicationName: string): DynamicModule {
    return {
      module: DatabaseModule,
      imports: [
        // In-process domain events, announced after commit (see domain-events.ts).
        EventEmitterModule.forRoot(),
        TypeOrmModule.forRootAsync({
          inject: [APP_CONFIG],
          useFactory: (config: AppConfig) => ({
            ...dataSourceOptions({
              url: config.DATABASE_URL,
              poolSize: config.DATABASE_POOL_SIZE,
              applicationName,
            }),
            autoLoadEntities: true,
            retryAttempts: 3,
          }),
        }),
      ],
      providers: [DomainEventsRelay],
    };
  }
}
