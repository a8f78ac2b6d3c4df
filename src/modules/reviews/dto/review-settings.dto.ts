import { ApiProperty } from '@nestjs/swagger';
import { IsDefined, IsUUID, ValidateIf } from 'class-validator';

export class ReviewSettingsDto {
  @ApiProperty({
    type: String,
    format: 'uuid',
    nullable: true,
    description:
      "The questionnaire of the team's reviews from next month's survey; null: the built-in one.",
  })
  @IsDefined({ message: 'questionnaireId is required (null for the built-in questionnaire)' })
  @ValidateIf((_, value) => value !== null)
  @IsUUID('all', { message: 'questionnaireId must be a UUID or null' })
  questionnaireId!: string | null;
}
