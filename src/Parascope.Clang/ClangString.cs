using System.Runtime.InteropServices;
using Parascope.Clang.Interop;

namespace Parascope.Clang;

internal static unsafe class ClangString
{
    /// <summary>Copies a CXString into a managed string and disposes it.</summary>
    public static string Take(CXString value)
    {
        try
        {
            var chars = clang.clang_getCString(value);
            return chars == null ? string.Empty : Marshal.PtrToStringUTF8((nint)chars) ?? string.Empty;
        }
        finally
        {
            clang.clang_disposeString(value);
        }
    }
}
