import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  IsEmail,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
} from 'class-validator';
import { Api, CurrentPrincipal, type Principal } from '../../common/access/access.decorator';
import { AuditService } from '../audit/audit.service';
import { MailService } from './mail.service';

const uuid = new ParseUUIDPipe({ version: undefined, errorHttpStatusCode: 400 });

export class MailProblemsQueryDto {
  @ApiPropertyOptional({ enum: ['failed', 'dead'], description: 'only this status' })
  @IsOptional()
  @IsIn(['failed', 'dead'], { message: 'status must be failed or dead' })
  status?: 'failed' | 'dead';

  @ApiPropertyOptional({ default: 100, minimum: 1, maximum: 500 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(500)
  limit?: number;

  @ApiPropertyOptional({ default: 0, minimum: 0, maximum: 1_000_000 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(1_000_000)
  offset?: number;
}

export class TestMailDto {
  @ApiProperty({ example: 'hr.person@example.com', description: 'who gets the test mail' })
  @IsEmail({}, { message: 'to must be an e-mail address' })
  @MaxLength(320)
  to!: string;

  @ApiPropertyOptional({ example: 'es', description: 'language of the mail (default en)' })
  @IsOptional()
  @IsString()
  @Matches(/^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/, { message: 'locale must be a tag such as es' })
  locale?: string;

  @ApiPropertyOptional({ example: 'IT Service Desk', description: 'team named in the sample' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  teamName?: string;
}

@ApiTags('mail')
@ApiBearerAuth()
@Controller('api/v1/mail')
export class MailController {
  constructor(
    private readonly mail: MailService,
    private readonly audit: AuditService,
  ) {}

  /** How many mails are in each status (queued, sending, sent, failed, dead, cancelled). */
  @Get()
  @Api('mail:read')
  async status() {
    return { usesOutbox: this.mail.usesOutbox, counts: await this.mail.countByStatus() };
  }

  /** Mails that will not go — failed (permanently) or dead (out of attempts) — with the reason. */
  @Get('problems')
  @Api('mail:read')
  async problems(@Query() query: MailProblemsQueryDto) {
    return { items: await this.mail.problems(query) };
  }

  /** Tries a failed or dead mail again, with fresh attempts. */
  @Post(':id/retry')
  @HttpCode(202)
  @Api('admin')
  async retry(@Param('id', uuid) id: string, @CurrentPrincipal() actor: Principal) {
    await this.mail.retry(id);
    await this.audit.record({ action: 'mail.retried', actor, target: id });
    return { id, status: 'queued' };
  }

  /** Queues the invitation mail as a test (sample link, marked as a test) to this address. */
  @Post('test')
  @HttpCode(202)
  @Api('admin')
  async test(@Body() body: TestMailDto, @CurrentPrincipal() actor: Principal) {
    const to = body.to.trim().toLowerCase();
    const { id } = await this.mail.queueTest(to, {
      locale: body.locale,
      teamName: body.teamName?.trim() || undefined,
    });
    await this.audit.record({ action: 'mail.test_queued', actor, target: to });
    return { id, status: 'queued' };
  }
}
