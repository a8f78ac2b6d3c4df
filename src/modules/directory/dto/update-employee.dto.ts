import { ApiProperty } from '@nestjs/swagger';
import { IsBoolean } from 'class-validator';

export class UpdateEmployeeDto {
  @ApiProperty({
    example: false,
    description: 'false deactivates: their open survey links stop working (410)',
  })
  @IsBoolean({ message: 'active must be true or false' })
  active!: boolean;
}
