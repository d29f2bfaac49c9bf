/**
 * The machines the runtime can persist, registered by id (children are persisted by registered name, never
 * inline logic). Each carries the envelope written beside its snapshots: id, version, definition hash.
 */
import type { AnyStateMachine } from "xstate";
import xstatePkg from "xstate/package.json" with { type: "json" };
import {
  REPOSITORY_MACHINE_ID,
  REPOSITORY_MACHINE_VERSION,
  repositoryMachine,
} from "../machines/repository.machine.ts";
import {
  SYNC_OPERATION_MACHINE_ID,
  SYNC_OPERATION_MACHINE_VERSION,
  syncOperationMachine,
} from "../machines/sync-operation.machine.ts";

export interface RegisteredMachine {
  id: string;
  version: number;
  /** sha-256 of the machine's JSON definition: tells apart builds that changed a machine without a version bump. */
  definitionHash: string;
  xstateVersion: string;
  machine: AnyStateMachine;
}

async function hashDefinition(machine: AnyStateMachine): Promise<string> {
  const json = JSON.stringify(machine.definition);
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(json));
  return Array.from(new Uint8Array(digest).slice(0, 12), (b) => b.toString(16).padStart(2, "0")).join("");
}

export interface MachineRegistry {
  repository: RegisteredMachine;
  sync_operation: RegisteredMachine;
}

export async function buildRegistry(): Promise<MachineRegistry> {
  const entry = async (
    id: string,
    version: number,
    machine: AnyStateMachine,
  ): Promise<RegisteredMachine> => ({
    id,
    version,
    machine,
    definitionHash: await hashDefinition(machine),
    xstateVersion: xstatePkg.version,
  });
  return {
    repository: await entry(REPOSITORY_MACHINE_ID, REPOSITORY_MACHINE_VERSION, repositoryMachine),
    sync_operation: await entry(
      SYNC_OPERATION_MACHINE_ID,
      SYNC_OPERATION_MACHINE_VERSION,
      syncOperationMachine,
    ),
  };
}
