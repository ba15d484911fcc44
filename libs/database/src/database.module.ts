import { DynamicModule, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { APP_CONFIG, AppConfig } from '@hns/config';
import { dataSourceOptions } from './data-source';

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
    };
  }
}
