import { Get, NotFoundException, Param, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Public } from '@hns/auth';
import { AssetsService } from './assets.service';
import { sendCompressed } from './send';
import { WebController } from './web-controller';

/**
 * Scripts, styles and the base map: public (nothing in them is anyone's data), compressed, and
 * cached for a year under a name that changes with their content.
 */
@WebController('web/assets')
export class AssetsController {
  constructor(private readonly assets: AssetsService) {}

  @Get(':file')
  @Public()
  serve(@Param('file') file: string, @Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    const asset = this.assets.find(`/web/assets/${file}`);
    if (!asset) throw new NotFoundException();
    reply
      .header('content-type', asset.contentType)
      .header('cache-control', 'public, max-age=31536000, immutable')
      .header('x-content-type-options', 'nosniff')
      .header('vary', 'accept-encoding');
    return sendCompressed(request, reply, asset.body, { br: asset.brotli, gzip: asset.gzip });
  }
}

/** The site's root opens the pages (the JSON API lives on its own paths). */
@WebController('')
export class RootController {
  @Get()
  @Public()
  root(@Res() reply: FastifyReply) {
    return reply.status(302).header('location', '/web').send();
  }
}
