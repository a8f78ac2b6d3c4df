import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsObject,
  IsOptional,
  IsString,
  Length,
  Matches,
  Max,
  Min,
  ValidateNested,
} from 'class-validator';
import { QUESTION_TYPES, type QuestionType, TEXT_MAX_LENGTH_LIMIT } from '../question-types';

export class ChoiceOptionDto {
  @ApiProperty({ example: 'email' })
  @IsString()
  @Matches(/^[a-z0-9_-]{1,64}$/, { message: 'option key must be 1–64 of a-z, 0-9, _ and -' })
  key!: string;

  @ApiProperty({ example: { en: 'E-mail', es: 'Correo' } })
  @IsObject()
  label!: Record<string, string>;
}

export class QuestionDto {
  @ApiProperty({ enum: QUESTION_TYPES })
  @IsIn(QUESTION_TYPES as unknown as string[], {
    message: `type must be one of ${QUESTION_TYPES.join(', ')}`,
  })
  type!: QuestionType;

  @ApiPropertyOptional({ default: false })
  @IsOptional()
  @IsBoolean()
  required?: boolean;

  @ApiProperty({
    example: { en: 'How likely are you to recommend the IT service desk to a colleague?' },
  })
  @IsObject()
  text!: Record<string, string>;

  @ApiPropertyOptional({ type: [ChoiceOptionDto], description: 'for single and multi questions' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(30)
  @ValidateNested({ each: true })
  @Type(() => ChoiceOptionDto)
  options?: ChoiceOptionDto[];

  @ApiPropertyOptional({ description: 'for text questions', maximum: TEXT_MAX_LENGTH_LIMIT })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(TEXT_MAX_LENGTH_LIMIT)
  maxLength?: number;
}

export class CreateQuestionnaireDto {
  @ApiProperty({ example: 'Internal service pulse' })
  @IsString()
  @Length(1, 200)
  name!: string;

  @ApiPropertyOptional({ default: 'en' })
  @IsOptional()
  @IsString()
  @Matches(/^[a-z]{2,3}$/, { message: 'defaultLocale must be a language code such as en' })
  defaultLocale?: string;

  @ApiProperty({ type: [QuestionDto] })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(50)
  @ValidateNested({ each: true })
  @Type(() => QuestionDto)
  questions!: QuestionDto[];
}
