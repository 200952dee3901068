// What the enterprise page hands its contact and department tabs: both
// edit one list and pick from the other.
export const CHILD_TAB_PROPS = {
  enterprise: { type: Object, required: true },
  contacts: { type: Array, required: true },
  departments: { type: Array, required: true },
  canWrite: { type: Boolean, default: false },
}
