import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { OutboxMessage } from './entities/outbox-message.entity';

@Injectable()
export class OutboxRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async insert(
    message: { to: string; subject: string; html: string; text: string; kind: string },
    manager?: EntityManager,
    invitationId: string | null = null,
  ): Promise<void> {
    await (manager ?? this.dataSource.manager).getRepository(OutboxMessage).insert({
      toAddress: message.to,
      subject: message.subject,
      html: message.html,
      text: message.text,
      kind: message.kind,
      invitationId,
    });
  }

  latest(limit: number): Promise<OutboxMessage[]> {
    return this.dataSource
      .getRepository(OutboxMessage)
      .find({ order: { createdAt: 'DESC' }, take: limit });
  }
}
