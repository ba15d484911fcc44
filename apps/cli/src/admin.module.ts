import { Module } from '@nestjs/common';
import { AuthModule } from '@hns/auth';
import { ConfigModule } from '@hns/config';
import { DatabaseModule } from '@hns/database';

/** What administrator commands need: the database and the accounts. No queues, no HTTP. */
@Module({ imports: [ConfigModule, DatabaseModule.forRoot('hns-cli'), AuthModule] })
export class AdminModule {}
