import { Injectable } from '@nestjs/common';

/**
 * The directory's idea of "now" (open now, the last closed month and quarter, pass expiry). A
 * test seam: tests fix it with `app.get(ServicesClock).fix(date)` and release it with
 * `fix(undefined)`; nothing in the app calls `fix`.
 */
@Injectable()
export class ServicesClock {
  private fixed: Date | undefined;

  now(): Date {
    return this.fixed ? new Date(this.fixed.getTime()) : new Date();
  }

  fix(date: Date | undefined): void {
    this.fixed = date;
  }
}
