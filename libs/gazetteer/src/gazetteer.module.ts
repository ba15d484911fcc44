import { Module } from '@nestjs/common';
import { GazetteerService } from './gazetteer.service';

/** Place search and admin1 lookups; needs the DataSource of DatabaseModule. */
@Module({
  providers: [GazetteerService],
  exports: [GazetteerService],
})
export class GazetteerModule {}
