/* A machine-independent C header that assembly includes too (original fixture code). */
#define SPINQ_TRY(q) ({		\
	int _b = 0;		/* ok: x86.int */ \
	_b; })
