export { auditExport } from './audit.js';
export type { AccountAudit, AuditInput, AuditOptions, AuditReport, Finding, Severity } from './types.js';
export { auditReportView, auditAccountView, findingView, type AuditReportView, type AuditAccountView, type FindingView } from './view.js';
export { generateOrbExportJsonl, type GenerateOrbExportOptions } from './generate-orb-export.js';
