import { Injectable } from '@nestjs/common';

/**
 * The directory's idea of "now" (open now, the last closed month and quarter, pass expiry). A
 * test seam: tests replace `now` (jest.spyOn(app.get(ServicesClock), 'now')) to fix the clock.
 */
@Injectable()
export class ServicesClock {
  now(): Date {
    return new Date();
  }
}
