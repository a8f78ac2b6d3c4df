import {
  Body,
  Controller,
  Get,
  Headers,
  Param,
  ParseUUIDPipe,
  Patch,
  Post,
  Query,
} from '@nestjs/common';
import { Api, CurrentPrincipal, type Principal } from '../../common/access/access.decorator';
import { ApiBearerAuth, ApiBody, ApiConsumes, ApiTags } from '@nestjs/swagger';
import { DirectoryErrors } from './directory.errors';
import { DirectoryService } from './directory.service';
import { CreateEmployeeDto } from './dto/create-employee.dto';
import { ListEmployeesDto } from './dto/list-employees.dto';
import { UpdateEmployeeDto } from './dto/update-employee.dto';
import { CSV_COLUMNS } from './employee-csv';

const uuid = new ParseUUIDPipe({ version: undefined, errorHttpStatusCode: 400 });

@ApiTags('directory')
@ApiBearerAuth()
@Controller('api/v1/employees')
export class DirectoryController {
  constructor(private readonly directory: DirectoryService) {}

  @Post()
  @Api('directory:write')
  create(@Body() body: CreateEmployeeDto, @CurrentPrincipal() actor: Principal) {
    return this.directory.create(body, actor);
  }

  @Get()
  @Api('directory:read')
  list(@Query() query: ListEmployeesDto) {
    return this.directory.list(query);
  }

  /**
   * Activates or deactivates an employee. Deactivating withdraws their open survey links
   * (unanswered invitations answer 410, queued mails are cancelled); reminders never go to them.
   */
  @Patch(':id')
  @Api('directory:write')
  update(
    @Param('id', uuid) id: string,
    @Body() body: UpdateEmployeeDto,
    @CurrentPrincipal() actor: Principal,
  ) {
    return this.directory.setActive(id, body.active, actor);
  }

  @Post('import')
  @Api('directory:write')
  @ApiConsumes('text/csv')
  @ApiBody({
    description: `CSV with a header row. Columns: ${CSV_COLUMNS.join(', ')} (email and name required). Upserts by e-mail; any bad row rejects the whole file with every problem listed by line.`,
    schema: {
      type: 'string',
      example: 'email,name,department\nana@example.com,Ana García,Finance\n',
    },
  })
  import(
    @Body() body: unknown,
    @Headers('content-type') contentType: string | undefined,
    @CurrentPrincipal() actor: Principal,
  ) {
    if (typeof body !== 'string' || !(contentType ?? '').toLowerCase().startsWith('text/csv')) {
      throw DirectoryErrors.csvExpected();
    }
    return this.directory.importCsv(body, actor);
  }
}
