/**
 * The pack's entry for `pulumi preview --policy-pack policies`. Constructing a PolicyPack starts its
 * server, so nothing else may import this file: tests and the offline check import ./all.
 */
import { PolicyPack } from "@pulumi/policy";
import { PACK_NAME, policies } from "./all";

new PolicyPack(PACK_NAME, { policies });
