import { Injectable } from '@nestjs/common';
import type { MailBuilder } from './mail-types';

/** Which feature makes the mails of each kind (see MailService.registerKind). */
@Injectable()
export class MailKinds {
  private readonly builders = new Map<string, MailBuilder>();

  register(kind: string, builder: MailBuilder): void {
    this.builders.set(kind, builder);
  }

  has(kind: string): boolean {
    return this.builders.has(kind);
  }

  get(kind: string): MailBuilder | undefined {
    return this.builders.get(kind);
  }
}
