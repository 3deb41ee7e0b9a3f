/*
 * driverapi fixture: a driver built only into development kernels. Original code written for Parascope's tests.
 * The generic profile does not define DEVELOPMENT, so the class is in an inactive branch: only the lexical
 * inventory sees it.
 */
#include "../../IOKit/IOKitMini.h"

#if DEVELOPMENT
class FixtureDebugTap : public IOService {
	OSDeclareDefaultStructors(FixtureDebugTap);
public:
	bool start(IOService *provider);
};

OSDefineMetaClassAndStructors(FixtureDebugTap, IOService)
#endif /* DEVELOPMENT */
