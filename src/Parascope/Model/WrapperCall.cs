namespace Parascope.Model;

/// <summary>
/// A call of a function that may be a PTE-store wrapper (its callee takes a PTE pointer, or the unit defines it as
/// one). A wrapper's callers are often in other files than its definition (arm_vm_init.c calls pmap.c's
/// pmap_init_pte_page), so a shard carries the calls of wrappers it does not define to `merge`.
/// </summary>
public readonly record struct WrapperCall(string Callee, string File, int Line, string? Function);
