import KoImage
import KoCreds
import CYaml
