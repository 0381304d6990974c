/**
 * The lake's Iceberg tables, defined once in lake-tables.json: the Spark applications read the same file
 * (shipped beside them), the SQL engines' table Job creates them from it.
 */
import * as fs from "node:fs";
import * as path from "node:path";

export interface Column {
  name: string;
  type: string;
}
export interface Partition {
  transform: "identity" | "day" | "month" | "year" | "hour";
  column: string;
}
export interface TableDef {
  name: string;
  topic?: string;
  key?: string;
  eventTime?: string;
  partitioning: Partition[];
  columns: Column[];
}
export interface Tables {
  namespace: string;
  tables: TableDef[];
}

export const TABLES_FILE = path.join(__dirname, "lake-tables.json");

export function loadTables(file = TABLES_FILE): Tables {
  return JSON.parse(fs.readFileSync(file, "utf8"));
}

/** Trino's names for the file's types; timestamps are instants (Iceberg timestamptz). */
export function trinoType(type: string): string {
  const decimal = /^decimal\((\d+),(\d+)\)$/.exec(type);
  if (decimal) return `decimal(${decimal[1]},${decimal[2]})`;
  const map: Record<string, string> = {
    string: "varchar",
    int: "integer",
    bigint: "bigint",
    double: "double",
    date: "date",
    timestamp: "timestamp(6) with time zone",
    boolean: "boolean",
  };
  if (!map[type]) throw new Error(`lake-tables.json: type ${type} has no Trino mapping`);
  return map[type];
}

function partitionSpec(p: Partition): string {
  return p.transform === "identity" ? p.column : `${p.transform}(${p.column})`;
}

/** Idempotent DDL for every table, in the Iceberg catalog. */
export function trinoDdl(catalog: string, t: Tables): string[] {
  return [
    `CREATE SCHEMA IF NOT EXISTS ${catalog}.${t.namespace}`,
    ...t.tables.map((table) => {
      const columns = table.columns.map((c) => `${c.name} ${trinoType(c.type)}`).join(", ");
      const partitioning = table.partitioning.map((p) => `'${partitionSpec(p)}'`).join(", ");
      return (
        `CREATE TABLE IF NOT EXISTS ${catalog}.${t.namespace}.${table.name} (${columns}) ` +
        `WITH (format = 'PARQUET', format_version = 2, partitioning = ARRAY[${partitioning}])`
      );
    }),
  ];
}
