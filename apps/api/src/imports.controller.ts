import {
  Body,
  Controller,
  Get,
  Headers,
  HttpCode,
  HttpStatus,
  Post,
  Req,
  Res,
} from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiBody,
  ApiConsumes,
  ApiHeader,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Access, Actor, CurrentActor } from '@hns/auth';
import {
  MAX_IMPORT_BYTES,
  MAX_IMPORT_ROWS,
  MovementImportService,
  exportsText,
  importReport,
  importTemplate,
  listFormat,
} from '@hns/exports';
import { LocalizedHttpException, assertIdempotencyKey } from '@hns/http';
import { negotiateLocale } from '@hns/i18n';

const FORMATS =
  `One row per movement, columns named like the fields of POST /movements (e.g. departure.at). ` +
  `Lists: waypoints "${listFormat('waypoints')}", vehicles "${listFormat('vehicles')}", ` +
  `cargo "${listFormat('cargo')}", items separated by ";". Booleans: true/false, oui/non. ` +
  `An HXL hashtag row right after the header is skipped. At most ${MAX_IMPORT_ROWS} rows and ` +
  `${MAX_IMPORT_BYTES / 1024} KiB.`;

@ApiTags('imports')
@ApiBearerAuth()
@Controller('imports/movements')
export class ImportsController {
  constructor(private readonly imports: MovementImportService) {}

  @Get('template.csv')
  @Access({ roles: ['ngo', 'cell'] })
  @ApiOperation({
    summary: 'The CSV template for bulk import: header row and HXL hashtag row',
    description: FORMATS,
  })
  template(@Res({ passthrough: true }) reply: FastifyReply): string {
    reply
      .type('text/csv; charset=utf-8')
      .header('content-disposition', 'attachment; filename="hns-movements-template.csv"');
    return importTemplate();
  }

  @Post()
  @HttpCode(200)
  @Access({ roles: ['ngo'] })
  @ApiOperation({
    summary: 'Notify several movements from a CSV file (Content-Type: text/csv); a report per row',
    description:
      `${FORMATS} Each row is validated and submitted exactly as POST /movements, in its own ` +
      'transaction: a refused row writes nothing, the others land. The answer lists per row ' +
      '{row, id, reference} or {row, errors: [{field, rule, message}]}; row numbers are those a ' +
      'spreadsheet shows (the header is row 1).',
  })
  @ApiConsumes('text/csv')
  @ApiBody({ schema: { type: 'string', format: 'binary' } })
  @ApiHeader({
    name: 'Idempotency-Key',
    required: false,
    description: 'Sending the same file again with the same key creates nothing twice',
  })
  async importMovements(
    @CurrentActor() actor: Actor,
    @Body() body: unknown,
    @Headers('idempotency-key') idempotencyKey: string | undefined,
    @Req() request: FastifyRequest,
  ) {
    if (typeof body !== 'string') {
      throw new LocalizedHttpException(
        HttpStatus.UNSUPPORTED_MEDIA_TYPE,
        'http.unsupported_media_type',
        {},
        'import_not_csv',
        {},
        exportsText('import.not_csv'),
      );
    }
    // Each row gets "<key>:row-N": the longest must still be a valid key.
    if (idempotencyKey !== undefined)
      assertIdempotencyKey(`${idempotencyKey}:row-${MAX_IMPORT_ROWS}`);
    const outcomes = await this.imports.importCsv(actor, body, idempotencyKey);
    return importReport(outcomes, negotiateLocale(request.headers['accept-language']), request);
  }
}
