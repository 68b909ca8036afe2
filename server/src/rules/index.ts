import { hardcodedAbsolutePath } from './hardcodedAbsolutePath';
import { missingRandomState } from './missingRandomState';
import { swallowedException } from './swallowedException';
import type { Rule } from './types';
import { unpinnedPretrainedModel } from './unpinnedPretrainedModel';
import { unsafeDeserialization } from './unsafeDeserialization';
import { unseededTraining } from './unseededTraining';
import { unversionedModelSave } from './unversionedModelSave';

/** Every rule, sorted by code. A meta test keeps this list complete and in order. */
export const RULES: readonly Rule[] = [
  swallowedException,
  hardcodedAbsolutePath,
  unsafeDeserialization,
  unversionedModelSave,
  unpinnedPretrainedModel,
  missingRandomState,
  unseededTraining,
];

export function findRule(codeOrName: string): Rule | undefined {
  const key = codeOrName.trim();
  return RULES.find((r) => r.code === key.toUpperCase() || r.name === key.toLowerCase());
}
