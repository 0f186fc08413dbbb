import { Body, Controller, Get, Inject, Param, Post, Res } from '@nestjs/common'
import type { Response } from 'express'
import type { Reply, Shop } from 'example-shop'

export const SHOP = Symbol('SHOP')

@Controller()
export class ShopController {
  constructor(@Inject(SHOP) private readonly shop: Shop) {}

  @Get('products')
  list(@Res({ passthrough: true }) res: Response) {
    return reply(res, this.shop.listProducts())
  }

  @Get('products/:id')
  get(@Param('id') id: string, @Res({ passthrough: true }) res: Response) {
    return reply(res, this.shop.getProduct(id))
  }

  @Get('products/:id/stock')
  stock(@Param('id') id: string, @Res({ passthrough: true }) res: Response) {
    return reply(res, this.shop.stock(id))
  }

  @Post('orders')
  order(@Body() body: unknown, @Res({ passthrough: true }) res: Response) {
    return reply(res, this.shop.createOrder(body))
  }

  @Get('reports/sales')
  report(@Res({ passthrough: true }) res: Response) {
    return reply(res, this.shop.salesReport())
  }

  @Post('checkout')
  checkout(@Res({ passthrough: true }) res: Response) {
    return reply(res, this.shop.checkout())
  }
}

async function reply(res: Response, pending: Promise<Reply>): Promise<unknown> {
  const { status, body } = await pending
  res.status(status)
  return body
}
