import { Injectable } from '@nestjs/common';
import { DirectoryErrors } from './directory.errors';
import { CreateEmployeeDto } from './dto/create-employee.dto';
import { parseEmployeeCsv } from './employee-csv';
import { employeeProblems, EmployeeInput, normaliseEmail } from './employee-input';
import { EmployeesRepository } from './employees.repository';

@Injectable()
export class DirectoryService {
  constructor(private readonly employees: EmployeesRepository) {}

  async create(dto: CreateEmployeeDto) {
    const input: EmployeeInput = {
      email: normaliseEmail(dto.email),
      name: dto.name.trim(),
      department: dto.department?.trim() || null,
      location: dto.location?.trim() || null,
      hireDate: dto.hireDate?.trim() || null,
      locale: (dto.locale?.trim() || 'en').toLowerCase(),
      externalId: dto.externalId?.trim() || null,
      active: dto.active ?? true,
    };
    const reasons = employeeProblems(input);
    if (reasons.length > 0) throw DirectoryErrors.invalidEmployee(reasons);
    try {
      return await this.employees.insert(input);
    } catch (error) {
      const { code, constraint } = error as { code?: string; constraint?: string };
      if (code === '23505' && constraint === 'uq_employee_external_id') {
        throw DirectoryErrors.externalIdTaken(input.externalId ?? '');
      }
      if (code === '23505') throw DirectoryErrors.emailTaken(input.email);
      throw error;
    }
  }

  /**
   * The active employee a ticket's requester is: by e-mail, else by external id (the id the
   * ticketing system gives them, when it shares no e-mail). Undefined when there is none.
   */
  findActiveEmployee(email: string | null, externalId: string | null) {
    return this.employees.findActive(email ? normaliseEmail(email) : null, externalId);
  }

  list(options: { limit?: number; offset?: number; department?: string }) {
    return this.employees.list({
      limit: options.limit ?? 50,
      offset: options.offset ?? 0,
      department: options.department,
    });
  }

  /** Validates the whole file first; writes all rows in one statement, or nothing. */
  async importCsv(text: string) {
    const parsed = parseEmployeeCsv(text);
    if (parsed.errors.length > 0) throw DirectoryErrors.csvRejected(parsed.errors);
    const clashes = await this.employees.externalIdClashes(parsed.rows);
    if (clashes.length > 0) {
      throw DirectoryErrors.csvRejected(
        clashes.map((c) => ({
          line: c.line,
          reason: `external_id ${c.externalId} belongs to another employee`,
        })),
      );
    }
    const counts = await this.employees.upsertMany(parsed.rows);
    return { ...counts, rows: parsed.rows.length };
  }
}
