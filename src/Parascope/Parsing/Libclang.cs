using Parascope.Clang;
using Parascope.Model;

namespace Parascope.Parsing;

/// <summary>The engine's side of loading libclang: the binding's reason, as the one input-error type every stage uses.</summary>
public static class Libclang
{
    /// <summary>Loads libclang once per process; null when it is there, else what to install.</summary>
    public static InputError? Load() => LibclangLoader.TryLoad(out var error) ? null : new InputError(error!);
}
