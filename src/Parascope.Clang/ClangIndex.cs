using Parascope.Clang.Interop;

namespace Parascope.Clang;

/// <summary>A libclang index; one per parsing thread is cheapest (libclang indexes are not shared safely).</summary>
public sealed class ClangIndex : IDisposable
{
    internal CXIndex Handle { get; private set; }

    public ClangIndex()
    {
        if (!LibclangLoader.TryLoad(out var error))
        {
            throw new InvalidOperationException(error);
        }
        Handle = clang.clang_createIndex(0, 0);
    }

    public void Dispose()
    {
        if (Handle.Handle != 0)
        {
            clang.clang_disposeIndex(Handle);
            Handle = default;
        }
    }
}
